// withBreaker: a circuit breaker (opossum) around one upstream. When more than errorThresholdPercentage of the calls
// in the rolling window failed (and at least volumeThreshold calls were made), it opens: calls fail fast with
// CONN_ERR_CIRCUIT_OPEN without reaching the upstream. After resetTimeoutMs it lets one trial call through
// (half-open); success closes it, failure opens it again.
//
// Only errors that say something about the upstream's health trip it: by default retriable ones (timeouts, 5xx,
// connection resets, 429), except CONN_ERR_OVERLOADED, which is our own queue. A 4xx, a not-found, bad credentials
// or a caller who gave up count as answers, not failures (opossum's errorFilter). In half-open, a trial that the
// caller abandoned or that never left our queue proves nothing, so the breaker stays open.
//
// opossum's reset timer is a real timer (it has no clock option); the rolling window is rotated by `clock` when one
// is given, so error-rate tests can run on a fake clock.
import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { Clock, TimerHandle } from '../../common/clock.ts';
import { isRetriable } from '../../common/errors.ts';
import { connErr } from '../error-catalogue.ts';
import { checkOption, type Operation } from './operation.ts';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** The connector's name, for messages. */
  readonly name: string;
  readonly errorThresholdPercentage: number;
  readonly resetTimeoutMs: number;
  readonly volumeThreshold: number;
  readonly rollingCountTimeoutMs: number;
  /** Rotates the rolling window; without it opossum uses its own interval timer. */
  readonly clock?: Clock;
  /** Whether an error counts against the upstream's health. Default: retriable and not CONN_ERR_OVERLOADED. */
  readonly isFailure?: (error: unknown) => boolean;
  readonly onStateChange?: (state: BreakerState) => void;
}

export interface BreakerControl {
  readonly state: BreakerState;
  /** Stops the breaker's timers. Calls made afterwards go straight to the wrapped function. */
  shutdown(): void;
}

const ROLLING_BUCKETS = 10;

export function defaultIsFailure(error: unknown): boolean {
  return isRetriable(error) && !connErr.CONN_ERR_OVERLOADED.is(error);
}

export function withBreaker<I, O>(fn: Operation<I, O>, options: BreakerOptions): Operation<I, O> & BreakerControl {
  const { name, clock, onStateChange } = options;
  checkOption('withBreaker', 'errorThresholdPercentage', options.errorThresholdPercentage);
  checkOption('withBreaker', 'resetTimeoutMs', options.resetTimeoutMs, { min: 1 });
  checkOption('withBreaker', 'volumeThreshold', options.volumeThreshold, { integer: true });
  checkOption('withBreaker', 'rollingCountTimeoutMs', options.rollingCountTimeoutMs, { min: ROLLING_BUCKETS });
  const isFailure = options.isFailure ?? defaultIsFailure;
  const rotator = clock ? new EventEmitter() : undefined;

  let state: BreakerState = 'closed';
  let openedAtMs = 0; // performance.now() when it last opened: opossum's reset timer runs on real time
  let shutDown = false;

  const breaker = new CircuitBreaker(fn, {
    name,
    timeout: false, // withTimeout owns time budgets, with a signal that reaches the socket
    resetTimeout: options.resetTimeoutMs,
    errorThresholdPercentage: options.errorThresholdPercentage,
    volumeThreshold: options.volumeThreshold,
    rollingCountTimeout: options.rollingCountTimeoutMs,
    rollingCountBuckets: ROLLING_BUCKETS,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
    ...(rotator ? { rotateBucketController: rotator } : {}),
    // true = "not a failure". opossum passes the call's arguments after the error: (error, input, signal).
    errorFilter: ((error: unknown, _input: I, signal: AbortSignal) => {
      const abandoned = signal.aborted || connErr.CONN_ERR_ABORTED.is(error) || connErr.CONN_ERR_OVERLOADED.is(error);
      if (breaker.halfOpen && abandoned) return false;
      return signal.aborted || !isFailure(error);
    }) as (error: unknown) => boolean,
  });

  const moveTo = (next: BreakerState) => {
    if (next === state) return;
    state = next;
    if (next === 'open') openedAtMs = performance.now();
    onStateChange?.(next);
  };
  breaker.on('open', () => moveTo('open'));
  breaker.on('halfOpen', () => moveTo('half_open'));
  breaker.on('close', () => moveTo('closed'));

  let rotation: TimerHandle | undefined;
  if (clock && rotator) {
    const bucketMs = Math.floor(options.rollingCountTimeoutMs / ROLLING_BUCKETS);
    const rotate = () => {
      rotator.emit('rotate');
      rotation = clock.setTimeout(rotate, bucketMs);
    };
    rotation = clock.setTimeout(rotate, bucketMs);
  }

  const openError = () => {
    const waitMs = Math.max(0, Math.ceil(openedAtMs + options.resetTimeoutMs - performance.now()));
    const message =
      state === 'half_open'
        ? `connector "${name}": the circuit breaker is half-open and a trial call is in progress; ` +
          'calls fail fast until it succeeds'
        : `connector "${name}": the circuit breaker is open after too many upstream failures; ` +
          `it lets a trial call through in ${waitMs} ms (resetTimeout ${options.resetTimeoutMs} ms)`;
    return connErr.CONN_ERR_CIRCUIT_OPEN(message, { details: { connector: name, state, retryInMs: waitMs } });
  };

  const guarded = (async (input: I, signal: AbortSignal): Promise<O> => {
    if (shutDown) return fn(input, signal);
    try {
      return (await breaker.fire(input, signal)) as O;
    } catch (error) {
      if (CircuitBreaker.isOurError(error as Error) && (error as { code?: string }).code === 'EOPENBREAKER') {
        throw openError();
      }
      throw error;
    }
  }) as Operation<I, O> & BreakerControl;

  Object.defineProperties(guarded, {
    state: { get: () => state, enumerable: true },
    shutdown: {
      value: () => {
        if (shutDown) return;
        shutDown = true;
        if (rotation !== undefined) clock?.clearTimeout(rotation);
        breaker.shutdown();
      },
    },
  });
  return guarded;
}
