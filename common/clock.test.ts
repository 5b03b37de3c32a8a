import { describe, expect, it, vi } from 'vitest';
import { createFakeClock, systemClock } from './clock.ts';

describe('createFakeClock', () => {
  it('starts at the given wall time with monotonic time at 0, and stands still until advanced', () => {
    const clock = createFakeClock(1_700_000_000_000);
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(clock.monotonicMs()).toBe(0);
    clock.advance(1500);
    expect(clock.now()).toBe(1_700_000_001_500);
    expect(clock.monotonicMs()).toBe(1500);
  });

  it('fires due timers in due order, ties in scheduling order, with now() at each due moment', () => {
    const clock = createFakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`b1@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`b2@${clock.now()}`), 20);
    clock.advance(25);
    expect(fired).toEqual(['a@10', 'b1@20', 'b2@20']);
    expect(clock.now()).toBe(25);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(5);
    expect(fired.at(-1)).toBe('c@30');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fires timers scheduled by a timer when they fall due inside the same advance', () => {
    const clock = createFakeClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 10);
      clock.setTimeout(() => fired.push(clock.now()), 100);
    }, 10);
    clock.advance(50);
    expect(fired).toEqual([10, 20]);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('does not fire cleared timers, and treats negative or NaN delays as 0', () => {
    const clock = createFakeClock(0);
    const fn = vi.fn();
    const handle = clock.setTimeout(fn, 10);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    clock.setTimeout(fn, -5);
    clock.setTimeout(fn, Number.NaN);
    clock.advance(0);
    expect(fn).toHaveBeenCalledTimes(2);
    clock.advance(100);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('refuses to move backwards', () => {
    const clock = createFakeClock(0);
    expect(() => clock.advance(-1)).toThrow('advance needs a finite, non-negative number of ms, but got -1');
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow('but got Infinity');
  });

  it('stops a timer that keeps rescheduling itself at 0 ms instead of hanging the test', () => {
    const clock = createFakeClock(0);
    const loop = () => void clock.setTimeout(loop, 0);
    loop();
    expect(() => clock.advance(1)).toThrow('a timer probably reschedules itself with a 0 ms delay');
  });

  it('resolves sleep only once the time has passed', async () => {
    const clock = createFakeClock(0);
    let done = false;
    const slept = clock.sleep(100).then(() => {
      done = true;
    });
    await clock.advanceAsync(99);
    expect(done).toBe(false);
    await clock.advanceAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  it('advanceAsync runs follow-up work that awaits between timers, like a retry loop', async () => {
    const clock = createFakeClock(0);
    const attempts: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        attempts.push(clock.now());
        await clock.sleep(100);
      }
    })();
    await clock.advanceAsync(300);
    await loop;
    expect(attempts).toEqual([0, 100, 200]);
  });

  it('rejects sleep with the abort reason and clears its timer', async () => {
    const clock = createFakeClock(0);
    const controller = new AbortController();
    const slept = clock.sleep(1000, controller.signal);
    expect(clock.pendingTimers()).toBe(1);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(slept).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const clock = createFakeClock(0);
    const signal = AbortSignal.abort(new Error('already'));
    await expect(clock.sleep(10, signal)).rejects.toThrow('already');
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('systemClock', () => {
  it('reads wall time from Date.now and monotonic time from performance.now', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    const m1 = systemClock.monotonicMs();
    const m2 = systemClock.monotonicMs();
    expect(m2).toBeGreaterThanOrEqual(m1);
    expect(m1).toBeLessThan(before);
  });

  it('returns unref\'d timers, so background timers never keep the process alive', () => {
    const handle = systemClock.setTimeout(() => {}, 60_000);
    try {
      expect((handle as unknown as NodeJS.Timeout).hasRef()).toBe(false);
    } finally {
      systemClock.clearTimeout(handle);
    }
  });

  it('fires timers and resolves sleep for real (0 ms, no waiting)', async () => {
    const fired = await new Promise<boolean>((resolve) => systemClock.setTimeout(() => resolve(true), 0));
    expect(fired).toBe(true);
    await expect(systemClock.sleep(0)).resolves.toBeUndefined();
  });

  it('cancels a sleep on abort with the signal reason', async () => {
    const controller = new AbortController();
    const slept = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
  });
});
