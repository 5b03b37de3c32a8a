// withConcurrencyLimit: a semaphore in front of one upstream. At most maxInFlight calls run at once; up to maxQueue
// more wait in arrival order; one more fails fast with CONN_ERR_OVERLOADED (retriable) instead of piling up
// memory and latency. A waiting call whose signal aborts leaves the queue at once and never runs.
import { connErr } from '../error-catalogue.ts';
import { checkOption, type Operation } from './operation.ts';

export interface ConcurrencyOptions {
  readonly maxInFlight: number;
  readonly maxQueue: number;
  /** The connector's name, for messages. */
  readonly name?: string;
}

export interface ConcurrencyControl {
  readonly inFlight: number;
  readonly queued: number;
}

interface Waiter {
  readonly start: () => void;
}

export function withConcurrencyLimit<I, O>(fn: Operation<I, O>, options: ConcurrencyOptions): Operation<I, O> & ConcurrencyControl {
  const { maxInFlight, maxQueue } = options;
  checkOption('withConcurrencyLimit', 'maxInFlight', maxInFlight, { min: 1, integer: true });
  checkOption('withConcurrencyLimit', 'maxQueue', maxQueue, { integer: true });
  const who = options.name === undefined ? 'upstream' : `connector "${options.name}"`;
  let inFlight = 0;
  // A Set keeps arrival order and removes an abandoned waiter in O(1).
  const queue = new Set<Waiter>();

  // A finished call hands its slot straight to the oldest waiter, so inFlight never dips and a newcomer cannot
  // overtake the queue.
  const release = () => {
    const next = queue.values().next();
    if (next.done) {
      inFlight--;
      return;
    }
    queue.delete(next.value);
    next.value.start();
  };

  const run = async (input: I, signal: AbortSignal): Promise<O> => {
    try {
      return await fn(input, signal);
    } finally {
      release();
    }
  };

  const limited = ((input: I, signal: AbortSignal): Promise<O> => {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (inFlight < maxInFlight) {
      inFlight++;
      return run(input, signal);
    }
    if (queue.size >= maxQueue) {
      return Promise.reject(
        connErr.CONN_ERR_OVERLOADED(
          `${who}: the concurrency limit is reached (${maxInFlight} in flight) and the queue is full ` +
            `(${maxQueue} waiting); try again shortly, or raise concurrency/maxQueue if the upstream can take more`,
          { details: { maxInFlight, maxQueue } },
        ),
      );
    }
    return new Promise<O>((resolve, reject) => {
      const onAbort = () => {
        queue.delete(waiter);
        reject(signal.reason);
      };
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          run(input, signal).then(resolve, reject);
        },
      };
      queue.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }) as Operation<I, O> & ConcurrencyControl;

  Object.defineProperties(limited, {
    inFlight: { get: () => inFlight, enumerable: true },
    queued: { get: () => queue.size, enumerable: true },
  });
  return limited;
}
