import { describe, expect, it } from 'vitest';
import { createBoundedApqCache } from './bounded-apq-cache.ts';

describe('createBoundedApqCache', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const cache = createBoundedApqCache({ maxEntries: 2, maxBytes: 1_000_000 });
    await cache.set('a', '{ a }');
    await cache.set('b', '{ b }');
    expect(await cache.get('a')).toBe('{ a }'); // a is now the most recently used
    await cache.set('c', '{ c }');
    expect(cache.size).toBe(2);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('{ a }');
    expect(await cache.get('c')).toBe('{ c }');
  });

  it('keeps at most maxBytes of text and refuses an entry larger than the whole budget', async () => {
    const cache = createBoundedApqCache({ maxEntries: 100, maxBytes: 100 });
    await cache.set('k1', 'x'.repeat(40));
    await cache.set('k2', 'y'.repeat(40));
    await cache.set('k3', 'z'.repeat(40));
    expect(await cache.get('k1')).toBeUndefined();
    expect(await cache.get('k3')).toBe('z'.repeat(40));
    await cache.set('huge', 'h'.repeat(500));
    expect(await cache.get('huge')).toBeUndefined();
    expect(await cache.delete('k3')).toBe(true);
    expect(await cache.get('k3')).toBeUndefined();
  });
});
