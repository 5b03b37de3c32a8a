// Group commit for appends: appends that arrive while earlier ones are being written are sent together in one
// append_entries call (one transaction, one WAL flush), so the store's throughput is not bounded by the disk's
// flushes per second. A lone append goes out at once (no added latency); at most `maxInFlight` batches are written
// at a time, each of at most `maxBatch` entries. A batch that fails fails each of its appends with the same error.
export interface AppendBatcherOptions<I, O> {
  /** Writes a batch; returns one result per input, in input order. */
  readonly write: (inputs: readonly I[]) => Promise<O[]>;
  /** Default 500. */
  readonly maxBatch?: number;
  /** Default 4 (with a pool of 10 connections, reads keep connections too). */
  readonly maxInFlight?: number;
}

interface Waiting<I, O> {
  readonly input: I;
  readonly resolve: (o: O) => void;
  readonly reject: (err: unknown) => void;
}

export function createAppendBatcher<I, O>(options: AppendBatcherOptions<I, O>): (input: I) => Promise<O> {
  const maxBatch = options.maxBatch ?? 500;
  const maxInFlight = options.maxInFlight ?? 4;
  let queue: Waiting<I, O>[] = [];
  let inFlight = 0;

  const flush = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.length <= maxBatch ? queue : queue.slice(0, maxBatch);
      queue = queue.length <= maxBatch ? [] : queue.slice(maxBatch);
      inFlight++;
      options
        .write(batch.map((w) => w.input))
        .then(
          (results) => {
            batch.forEach((w, i) => w.resolve(results[i] as O));
          },
          (err: unknown) => {
            for (const w of batch) w.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  };

  return (input) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ input, resolve, reject });
      flush();
    });
}
