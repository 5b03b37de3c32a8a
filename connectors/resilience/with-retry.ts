// withRetry: tries again after a failure that says retrying can help (`error.retriable`, STYLE.md 3), with
// exponential backoff and full jitter (the delay before retry n is random in [0, min(maxDelayMs, baseDelayMs·2^(n-1))]),
// so callers that failed together do not come back together. It never retries once the caller's signal has
// aborted, and the backoff sleep ends the moment it aborts: a retry never outlives the caller's deadline.
import type { Clock } from '../../common/clock.ts';
import { isRetriable as defaultIsRetriable } from '../../common/errors.ts';
import { checkOption, type Operation } from './operation.ts';

export interface RetryInfo<I> {
  readonly input: I;
  /** The attempt that will run after the delay (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  /** What the previous attempt failed with. */
  readonly error: unknown;
}

export interface RetryOptions<I> {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly clock: Clock;
  /** Returns a number in [0, 1); Math.random by default. Tests pass a fixed one. */
  readonly random?: () => number;
  /** Whether an error may be retried; by default the error's own `retriable` flag. */
  readonly isRetriable?: (error: unknown) => boolean;
  /** Called before each backoff sleep. */
  readonly onRetry?: (info: RetryInfo<I>) => void;
}

/** The backoff cap before `attempt` (2 = first retry): baseDelayMs doubled per retry, at most maxDelayMs. */
export function backoffCapMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 2));
}

export function withRetry<I, O>(fn: Operation<I, O>, options: RetryOptions<I>): Operation<I, O> {
  const { maxAttempts, baseDelayMs, maxDelayMs, clock, onRetry } = options;
  checkOption('withRetry', 'maxAttempts', maxAttempts, { min: 1, integer: true });
  checkOption('withRetry', 'baseDelayMs', baseDelayMs);
  checkOption('withRetry', 'maxDelayMs', maxDelayMs, { min: baseDelayMs });
  const random = options.random ?? Math.random;
  const retriable = options.isRetriable ?? defaultIsRetriable;

  return async (input, signal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(input, signal);
      } catch (error) {
        if (attempt >= maxAttempts || signal.aborted || !retriable(error)) throw error;
        const delayMs = Math.floor(random() * backoffCapMs(attempt + 1, baseDelayMs, maxDelayMs));
        onRetry?.({ input, attempt: attempt + 1, delayMs, error });
        // Rejects with the caller's abort reason as soon as it aborts: the caller has stopped waiting.
        await clock.sleep(delayMs, signal);
      }
    }
  };
}
