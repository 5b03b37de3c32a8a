// withTimeout: gives each call a budget. The wrapped function receives an AbortSignal that aborts when the budget
// runs out (reason: the timeout error) or when the caller's own signal aborts (reason: the caller's), so the I/O
// underneath is cancelled either way. The returned promise settles promptly even if the function ignores its signal.
import type { Clock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { checkOption, type Operation } from './operation.ts';

export interface TimeoutOptions<I> {
  /** Budget of one call, in milliseconds. */
  readonly ms: number;
  readonly clock: Clock;
  /** Builds the error a timed-out call rejects with (and the abort reason the function sees). */
  readonly onTimeout: (input: I) => UnicsError;
}

export function withTimeout<I, O>(fn: Operation<I, O>, options: TimeoutOptions<I>): Operation<I, O> {
  const { ms, clock, onTimeout } = options;
  checkOption('withTimeout', 'ms', ms, { min: 1 });
  return (input, signal) => {
    if (signal.aborted) return Promise.reject(signal.reason);
    const controller = new AbortController();
    return new Promise<O>((resolve, reject) => {
      let settled = false;
      // Every way out clears the timer and the listener, so a finished call holds no reference to the caller.
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onCallerAbort);
        return true;
      };
      const onCallerAbort = () => {
        if (!finish()) return;
        controller.abort(signal.reason);
        reject(signal.reason);
      };
      const timer = clock.setTimeout(() => {
        if (!finish()) return;
        const error = onTimeout(input);
        controller.abort(error);
        reject(error);
      }, ms);
      signal.addEventListener('abort', onCallerAbort, { once: true });
      let pending: Promise<O>;
      try {
        pending = fn(input, controller.signal);
      } catch (error) {
        if (finish()) reject(error);
        return;
      }
      // A late answer after a timeout is dropped here, never left as an unhandled rejection.
      pending.then(
        (value) => {
          if (finish()) resolve(value);
        },
        (error: unknown) => {
          if (finish()) reject(error);
        },
      );
    });
  };
}
