import { describe, expect, it } from 'vitest';
import { failed, notFound, ok, type KeyResult } from './connector.ts';
import { connErr } from './error-catalogue.ts';
import { loadInChunks, splitIntoChunks, throwIfEveryKeyFailed } from './load-in-chunks.ts';

const down = connErr.CONN_ERR_UNAVAILABLE('connector "x": down');
const answer = (chunk: readonly string[]) => new Map<string, KeyResult>(chunk.map((k) => [k, ok(k.toLowerCase())]));

describe('splitIntoChunks', () => {
  it('splits in order into chunks of at most the size', () => {
    expect(splitIntoChunks(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(splitIntoChunks(['a', 'b'], 5)).toEqual([['a', 'b']]);
    expect(splitIntoChunks([], 3)).toEqual([]);
  });
});

describe('loadInChunks', () => {
  it('calls every chunk at once (in parallel) and merges the answers by key', async () => {
    const calls: (readonly string[])[] = [];
    const release: (() => void)[] = [];
    const loading = loadInChunks(['A', 'B', 'C', 'D', 'E'], 2, (chunk) => {
      calls.push(chunk);
      return new Promise((resolve) => release.push(() => resolve(answer(chunk))));
    });
    expect(calls).toEqual([['A', 'B'], ['C', 'D'], ['E']]); // all started before any answered
    for (const r of [...release].reverse()) r();
    const merged = await loading;
    expect([...merged]).toEqual([['A', ok('a')], ['B', ok('b')], ['C', ok('c')], ['D', ok('d')], ['E', ok('e')]]);
  });

  it('keeps per-key values of a chunk as they came', async () => {
    const broken = connErr.CONN_ERR_MALFORMED_RESPONSE('connector "x": record B has no id');
    const merged = await loadInChunks(['A', 'B', 'C'], 2, async (chunk) =>
      new Map<string, KeyResult>(chunk.map((k) => [k, k === 'B' ? failed(broken) : k === 'C' ? notFound : ok(1)])),
    );
    expect([...merged]).toEqual([['A', ok(1)], ['B', failed(broken)], ['C', notFound]]);
  });

  it('gives the keys of a failed chunk its error while the other chunks load', async () => {
    const merged = await loadInChunks(['A', 'B', 'C'], 2, async (chunk) => {
      if (chunk.includes('A')) throw down;
      return answer(chunk);
    });
    expect([...merged]).toEqual([['A', failed(down)], ['B', failed(down)], ['C', ok('c')]]);
  });

  it('rejects with the first chunk\'s error when every chunk failed', async () => {
    const timeout = connErr.CONN_ERR_TIMEOUT('connector "x": no answer');
    await expect(loadInChunks(['A', 'B'], 1, async (chunk) => Promise.reject(chunk[0] === 'A' ? down : timeout))).rejects.toBe(down);
    await expect(loadInChunks(['A'], 10, async () => Promise.reject(timeout))).rejects.toBe(timeout);
  });

  it('rejects with a rejection that is not a catalogued error (a bug), even when other chunks loaded', async () => {
    const bug = new TypeError('x is undefined');
    await expect(loadInChunks(['A', 'B'], 1, async (chunk) => (chunk[0] === 'B' ? Promise.reject(bug) : answer(chunk)))).rejects.toBe(bug);
  });

  it('rejects with the abort when the caller\'s signal aborted, instead of answering keys with it', async () => {
    const controller = new AbortController();
    const reason = connErr.CONN_ERR_TIMEOUT('connector "x": no answer within 50ms');
    const loading = loadInChunks(['A', 'B'], 1, async (chunk) => {
      if (chunk[0] === 'A') return answer(chunk);
      controller.abort(reason);
      throw down;
    }, { abort: { connector: 'x', signal: controller.signal } });
    await expect(loading).rejects.toBe(reason);

    const plain = new AbortController();
    plain.abort();
    const err = await loadInChunks(['A'], 1, async (chunk) => answer(chunk), { abort: { connector: 'x', signal: plain.signal } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CONN_ERR_ABORTED', message: 'connector "x": the caller gave up before the upstream answered' });
  });

  it('without the abort option an aborted chunk\'s error stays a value of its keys', async () => {
    const aborted = connErr.CONN_ERR_ABORTED('connector "x": the caller gave up');
    const merged = await loadInChunks(['A', 'B'], 1, async (chunk) => (chunk[0] === 'B' ? Promise.reject(aborted) : answer(chunk)));
    expect(merged.get('B')).toEqual(failed(aborted));
  });

  it('makes no call for no keys', async () => {
    let calls = 0;
    const merged = await loadInChunks([], 10, async (chunk) => (calls++, answer(chunk)));
    expect([merged.size, calls]).toEqual([0, 0]);
  });
});

describe('throwIfEveryKeyFailed', () => {
  it('throws the first error when every key failed, and nothing otherwise', () => {
    const timeout = connErr.CONN_ERR_TIMEOUT('t');
    expect(() => throwIfEveryKeyFailed([failed(down), failed(timeout)])).toThrow(down);
    expect(() => throwIfEveryKeyFailed([failed(down), notFound])).not.toThrow();
    expect(() => throwIfEveryKeyFailed([ok(1), failed(down)])).not.toThrow();
    expect(() => throwIfEveryKeyFailed([])).not.toThrow();
  });
});
