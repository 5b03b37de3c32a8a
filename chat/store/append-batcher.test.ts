import { describe, expect, it } from 'vitest';
import { createAppendBatcher } from './append-batcher.ts';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('append batcher (group commit)', () => {
  it('sends a lone append at once, groups the ones that arrive while it is written, and answers each in order', async () => {
    const batches: number[][] = [];
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const append = createAppendBatcher<number, string>({
      maxInFlight: 1,
      maxBatch: 3,
      async write(inputs) {
        batches.push([...inputs]);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return inputs.map((n) => `r${n}`);
      },
    });
    const results = [1, 2, 3, 4, 5, 6].map((n) => append(n));
    expect(batches).toEqual([[1]]);
    gates[0]!.resolve();
    await expect.poll(() => batches.length).toBe(2);
    expect(batches[1]).toEqual([2, 3, 4]); // at most maxBatch
    gates[1]!.resolve();
    await expect.poll(() => batches.length).toBe(3);
    expect(batches[2]).toEqual([5, 6]);
    gates[2]!.resolve();
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('fails every append of a failed batch and goes on with the next', async () => {
    let calls = 0;
    const append = createAppendBatcher<number, number>({
      maxInFlight: 1,
      async write(inputs) {
        calls++;
        await new Promise((r) => setTimeout(r, 5));
        if (calls === 2) throw new Error('database went away');
        return inputs.map((n) => n * 10);
      },
    });
    const first = append(1);
    const second = [append(2), append(3)];
    expect(await first).toBe(10);
    await expect(second[0]).rejects.toThrow('database went away');
    await expect(second[1]).rejects.toThrow('database went away');
    expect(await append(4)).toBe(40);
  });
});
