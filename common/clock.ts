// Time as a dependency (STYLE.md 7): modules take a Clock so unit tests drive time with createFakeClock() instead
// of sleeping. Wall time (now) is for timestamps; monotonic time is for measuring durations and deadlines, because
// wall time jumps when NTP corrects the system clock.

declare const timerBrand: unique symbol;
/** Opaque handle returned by Clock.setTimeout; only good for passing back to the same clock's clearTimeout. */
export type TimerHandle = { readonly [timerBrand]: true };

export interface Clock {
  /** Wall-clock time, milliseconds since the Unix epoch. */
  now(): number;
  /** Milliseconds from an arbitrary origin that never goes backwards; subtract two readings for a duration. */
  monotonicMs(): number;
  /** Runs fn once after ms milliseconds. The timer is unref'd: it never keeps the process alive by itself. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a pending timer; unknown or already fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
  /**
   * Resolves after ms milliseconds, or rejects with signal.reason as soon as the signal aborts. Unlike setTimeout,
   * a sleep keeps the process alive: someone is awaiting it, and exiting mid-wait would silently drop their work.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface FakeClock extends Clock {
  /** Moves time forward by ms, firing every timer that falls due, in due order (ties in scheduling order). */
  advance(ms: number): void;
  /** Like advance, but lets promise callbacks run after each timer, so awaited sleeps and their follow-ups fire. */
  advanceAsync(ms: number): Promise<void>;
  /** How many timers are scheduled and not yet fired or cleared. */
  pendingTimers(): number;
}

function toDelay(ms: number): number {
  // Same rule as Node: NaN, negative and non-finite delays fire on the next turn.
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function sleepWith(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type NodeTimer = ReturnType<typeof globalThis.setTimeout>;
const nodeClear = (handle: TimerHandle) => globalThis.clearTimeout(handle as unknown as NodeTimer);
// Ref'd timers for sleep (see Clock.sleep); an aborted sleep clears its timer, so it does not hold the process.
const refTimers = {
  setTimeout: (fn: () => void, ms: number) => globalThis.setTimeout(fn, toDelay(ms)) as unknown as TimerHandle,
  clearTimeout: nodeClear,
};

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    return globalThis.setTimeout(fn, toDelay(ms)).unref() as unknown as TimerHandle;
  },
  clearTimeout: nodeClear,
  sleep: (ms: number, signal?: AbortSignal) => sleepWith(refTimers, ms, signal),
});

interface FakeTimer {
  readonly dueAt: number;
  readonly seq: number;
  readonly fn: () => void;
}

const MAX_TIMERS_PER_ADVANCE = 100_000;

/** A clock for unit tests: time stands still until advance() moves it. monotonicMs() starts at 0. */
export function createFakeClock(startMs = 0): FakeClock {
  let elapsed = 0;
  let seq = 0;
  const timers = new Map<TimerHandle, FakeTimer>();

  const nextDue = (until: number): [TimerHandle, FakeTimer] | undefined => {
    let best: [TimerHandle, FakeTimer] | undefined;
    for (const entry of timers) {
      const t = entry[1];
      if (t.dueAt > until) continue;
      if (best === undefined || t.dueAt < best[1].dueAt || (t.dueAt === best[1].dueAt && t.seq < best[1].seq)) {
        best = entry;
      }
    }
    return best;
  };

  const checkStep = (ms: number): number => {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new TypeError(`fake clock: advance needs a finite, non-negative number of ms, but got ${String(ms)}`);
    }
    firedThisAdvance = 0;
    return elapsed + ms;
  };

  // Fires one due timer (moving time to its due moment); false when none is due by `until`.
  let firedThisAdvance = 0;
  const fireNext = (until: number): boolean => {
    const next = nextDue(until);
    if (next === undefined) return false;
    if (++firedThisAdvance > MAX_TIMERS_PER_ADVANCE) {
      throw new Error(
        `fake clock: more than ${MAX_TIMERS_PER_ADVANCE} timers fired in one advance; ` +
          'a timer probably reschedules itself with a 0 ms delay',
      );
    }
    timers.delete(next[0]);
    elapsed = next[1].dueAt;
    next[1].fn();
    return true;
  };

  const clock: FakeClock = {
    now: () => startMs + elapsed,
    monotonicMs: () => elapsed,
    setTimeout(fn: () => void, ms: number): TimerHandle {
      const handle = {} as TimerHandle;
      timers.set(handle, { dueAt: elapsed + toDelay(ms), seq: seq++, fn });
      return handle;
    },
    clearTimeout(handle: TimerHandle): void {
      timers.delete(handle);
    },
    sleep: (ms, signal) => sleepWith(clock, ms, signal),
    advance(ms: number): void {
      const until = checkStep(ms);
      while (fireNext(until));
      elapsed = until;
    },
    async advanceAsync(ms: number): Promise<void> {
      const until = checkStep(ms);
      await flushPromises();
      while (fireNext(until)) await flushPromises();
      elapsed = until;
      await flushPromises();
    },
    pendingTimers: () => timers.size,
  };
  return clock;
}

// setImmediate runs after every queued microtask, however long the promise chain; it is not a sleep.
function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
