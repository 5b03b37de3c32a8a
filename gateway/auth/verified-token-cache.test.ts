import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../common/clock.ts';
import { createVerifiedTokenCache } from './verified-token-cache.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const agent = Object.freeze({ subject: 'u1', tenant: 'demo', roles: Object.freeze(['agent']) });
const expIn = (seconds: number) => T0 / 1000 + seconds;

describe('createVerifiedTokenCache', () => {
  it('serves a token until its exp, checked against the clock on every hit, then drops it', () => {
    const clock = createFakeClock(T0);
    const cache = createVerifiedTokenCache({ clock });
    cache.set('tok', agent, expIn(60));
    expect(cache.get('tok')).toBe(agent);
    clock.advance(59_999);
    expect(cache.get('tok')).toBe(agent);
    clock.advance(1);
    expect(cache.get('tok')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('serves an entry no longer than maxAgeMs after its verification, even when exp is later', () => {
    const clock = createFakeClock(T0);
    const cache = createVerifiedTokenCache({ clock, maxAgeMs: 1000 });
    cache.set('tok', agent, expIn(3600));
    clock.advance(999);
    expect(cache.get('tok')).toBe(agent);
    clock.advance(1);
    expect(cache.get('tok')).toBeUndefined();
  });

  it('keeps nothing for a token without exp or already expired', () => {
    const clock = createFakeClock(T0);
    const cache = createVerifiedTokenCache({ clock });
    cache.set('no-exp', agent, undefined);
    cache.set('expired', agent, expIn(-1));
    cache.set('now', agent, expIn(0));
    expect([cache.get('no-exp'), cache.get('expired'), cache.get('now'), cache.size]).toEqual([undefined, undefined, undefined, 0]);
  });

  it('is keyed by the exact token and bounded in entries and bytes, least recently used first', () => {
    const clock = createFakeClock(T0);
    const cache = createVerifiedTokenCache({ clock, maxEntries: 2 });
    cache.set('a', agent, expIn(60));
    cache.set('b', agent, expIn(60));
    expect(cache.get('a ')).toBeUndefined();
    expect(cache.get('a')).toBe(agent); // a is now the most recently used
    cache.set('c', agent, expIn(60));
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([agent, undefined, agent, 2]);

    const small = createVerifiedTokenCache({ clock, maxBytes: 10 });
    small.set('x'.repeat(6), agent, expIn(60));
    small.set('y'.repeat(6), agent, expIn(60));
    expect([small.get('x'.repeat(6)), small.get('y'.repeat(6))]).toEqual([undefined, agent]);
  });
});
