import { describe, expect, it } from 'vitest';
import { newBucket, takeToken } from './rate-limit.ts';
import { nextConnectionState } from './connection-state.ts';

describe('chat rate limit (token bucket)', () => {
  it('allows a burst, then the average rate', () => {
    const limit = { perSecond: 10, burst: 3 };
    const bucket = newBucket(limit, 0);
    expect([1, 2, 3, 4].map(() => takeToken(bucket, limit, 0))).toEqual([true, true, true, false]);
    expect(takeToken(bucket, limit, 50)).toBe(false); // half a token
    expect(takeToken(bucket, limit, 100)).toBe(true); // one token after 100 ms at 10/s
    expect(takeToken(bucket, limit, 100)).toBe(false);
    expect([1, 2, 3, 4].map(() => takeToken(bucket, limit, 10_000))).toEqual([true, true, true, false]); // refills to the burst, not beyond
  });
});

describe('chat connection states', () => {
  it('follows the table and names both states when a move is not allowed', () => {
    expect(nextConnectionState('open', 'closing')).toBe('closing');
    expect(nextConnectionState('closing', 'closed')).toBe('closed');
    expect(() => nextConnectionState('closed', 'open')).toThrow('chat connection: cannot go from "closed" to "open"; "closed" is a final state');
    expect(() => nextConnectionState('closing', 'open')).toThrow('cannot go from "closing" to "open"; from "closing" it can go to "closed"');
  });
});
