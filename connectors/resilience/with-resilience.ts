// withResilience: the connector the rest of UniCS talks to. It wraps a raw adapter (which only does I/O) in the
// decorators of this folder, in this order (outermost first):
//
//   load: cache -> singleflight -> split into chunks of maxBatchSize (in parallel)
//         -> retry -> breaker -> concurrency limit -> timeout -> raw load
//   call: retry (idempotent commands only) -> breaker -> concurrency limit -> timeout -> raw call
//
// The cache answers before anything is shared or sent; singleflight then shares what is in flight; each chunk is one
// upstream request with its own retries; the breaker fails fast before a call takes a slot; the timeout starts when
// the call really goes out. The resilient load never rejects for an upstream failure: a chunk that failed as a whole
// gives each of its keys that error as a value, so other chunks and keys are unaffected. It rejects only for a
// programming error (an entity the connector does not define).
import type { Clock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import type { ConnectorEmitter, RequestOutcome } from '../connector-events.ts';
import type { BatchResult, CallContext, Connector, KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { splitIntoChunks } from '../load-in-chunks.ts';
import { createMemoryCacheStore, type CacheStore } from './cache-store.ts';
import { failAll, missingKeyError, toConnectorError } from './to-connector-error.ts';
import type { BatchLoad, Operation } from './operation.ts';
import type { ResiliencePolicy } from './policy.ts';
import { withBreaker } from './with-breaker.ts';
import { withCache } from './with-cache.ts';
import { withConcurrencyLimit } from './with-concurrency-limit.ts';
import { withRetry } from './with-retry.ts';
import { withSingleflight } from './with-singleflight.ts';
import { withTimeout } from './with-timeout.ts';

export interface ResilienceDeps {
  readonly clock: Clock;
  readonly events: ConnectorEmitter;
  /** Shared cache (e.g. Redis). Without it, a policy with a cache gets an in-process LRU of cache.maxEntries. */
  readonly cacheStore?: CacheStore;
}

/** One upstream request, as seen by the attempt pipeline. A fresh object per request: retries pass the same one. */
type Attempt = (
  | { readonly kind: 'load'; readonly entity: string; readonly keys: readonly string[]; readonly tenant: string }
  | { readonly kind: 'call'; readonly command: string; readonly input: Readonly<Record<string, unknown>>; readonly tenant: string }
) & { readonly observe?: CallContext['observe'] };

const describe = (a: Attempt) =>
  a.kind === 'load' ? `load of ${a.entity} (${a.keys.length} ${a.keys.length === 1 ? 'key' : 'keys'})` : `command ${a.command}`;

function outcomeOf(error: UnicsError, callerAborted: boolean): RequestOutcome {
  if (callerAborted || connErr.CONN_ERR_ABORTED.is(error)) return 'aborted';
  if (connErr.CONN_ERR_TIMEOUT.is(error)) return 'timeout';
  if (connErr.CONN_ERR_CIRCUIT_OPEN.is(error)) return 'circuit_open';
  if (connErr.CONN_ERR_OVERLOADED.is(error)) return 'overloaded';
  return 'error';
}

export function withResilience(connector: Connector, policy: ResiliencePolicy, deps: ResilienceDeps): Connector {
  const { clock, events } = deps;
  const name = connector.name;
  const list = (names: Iterable<string>) => [...names].map((n) => JSON.stringify(n)).join(', ') || '(none)';

  // --- the attempt pipeline, shared by load and call: one breaker and one set of slots per connector ---
  const raw: Operation<Attempt, unknown> = (a, signal) =>
    a.kind === 'load'
      ? connector.load(a.entity, a.keys, { tenant: a.tenant, signal })
      : connector.call(a.command, a.input, { tenant: a.tenant, signal });
  const timed = withTimeout(raw, {
    ms: policy.timeoutMs,
    clock,
    onTimeout: (a) =>
      connErr.CONN_ERR_TIMEOUT(`connector "${name}": no answer within ${policy.timeoutMs} ms to the ${describe(a)}; the request was cancelled`, {
        details: { connector: name, timeoutMs: policy.timeoutMs },
      }),
  });
  const limited = withConcurrencyLimit(timed, { ...policy.concurrency, name });
  const breaker = policy.breaker
    ? withBreaker(limited, {
        name,
        ...policy.breaker,
        clock,
        onStateChange: (state) => events.emit('connector.breaker', { connector: name, state }),
      })
    : undefined;
  const guarded = breaker ?? limited;

  const attempts = new WeakMap<Attempt, number>();
  const instrumented: Operation<Attempt, unknown> = async (a, signal) => {
    const attempt = (attempts.get(a) ?? 0) + 1;
    attempts.set(a, attempt);
    const startedMs = clock.monotonicMs();
    const base = {
      connector: name,
      kind: a.kind,
      operation: a.kind === 'load' ? a.entity : a.command,
      batchSize: a.kind === 'load' ? a.keys.length : 1,
      attempt,
    };
    try {
      const value = await guarded(a, signal);
      const durationMs = clock.monotonicMs() - startedMs;
      events.emit('connector.request', { ...base, outcome: 'success', durationMs });
      a.observe?.({ type: 'attempt', ...base, outcome: 'success', durationMs });
      return value;
    } catch (err) {
      const error = toConnectorError(name, err, signal);
      const outcome = outcomeOf(error, signal.aborted);
      const durationMs = clock.monotonicMs() - startedMs;
      events.emit('connector.request', { ...base, outcome, code: error.code, durationMs });
      a.observe?.({ type: 'attempt', ...base, outcome, code: error.code, durationMs });
      throw error;
    }
  };
  const retrying = policy.retry
    ? withRetry(instrumented, {
        ...policy.retry,
        clock,
        onRetry: ({ input, attempt, delayMs, error }) =>
          events.emit('connector.retry', {
            connector: name,
            operation: input.kind === 'load' ? input.entity : input.command,
            attempt,
            delayMs,
            code: (error as UnicsError).code,
          }),
      })
    : instrumented;

  // --- load: chunks, then singleflight and cache around them ---
  const loadChunks: BatchLoad = async (entity, keys, ctx) => {
    const maxBatchSize = Math.max(1, connector.entities.get(entity)?.maxBatchSize ?? keys.length);
    const out = new Map<string, KeyResult>();
    await Promise.all(
      splitIntoChunks(keys, maxBatchSize).map(async (chunk) => {
        const attempt: Attempt = { kind: 'load', entity, keys: chunk, tenant: ctx.tenant, observe: ctx.observe };
        try {
          const answer = (await retrying(attempt, ctx.signal)) as BatchResult;
          for (const key of chunk) out.set(key, answer.get(key) ?? { status: 'error', error: missingKeyError(name, entity, key) });
        } catch (err) {
          failAll(chunk, toConnectorError(name, err, ctx.signal), out);
        }
      }),
    );
    return out;
  };
  const shared = withSingleflight(loadChunks, {
    connector: name,
    onShared: ({ entity, shared: count }) => events.emit('connector.singleflight', { connector: name, entity, shared: count }),
  });
  const cached = policy.cache
    ? withCache(shared, {
        connector: name,
        store: deps.cacheStore ?? createMemoryCacheStore({ maxEntries: policy.cache.maxEntries, clock }),
        ttlMs: policy.cache.ttlMs,
        notFoundTtlMs: policy.cache.notFoundTtlMs,
        onLookup: ({ entity, hits, misses }) => events.emit('connector.cache', { connector: name, entity, hits, misses }),
        onStoreError: (error, operation, entity) => events.emit('connector.cache_error', { connector: name, entity, operation, error }),
      })
    : shared;

  const checkTimed = withTimeout((_: undefined, signal: AbortSignal) => connector.check(signal), {
    ms: policy.timeoutMs,
    clock,
    onTimeout: () => connErr.CONN_ERR_TIMEOUT(`connector "${name}": the reachability check got no answer within ${policy.timeoutMs} ms`),
  });

  return {
    name,
    kind: connector.kind,
    entities: connector.entities,
    commands: connector.commands,
    async load(entity: string, keys: readonly string[], ctx: CallContext): Promise<BatchResult> {
      if (!connector.entities.has(entity)) {
        throw connErr.CONN_ERR_UNKNOWN_ENTITY(
          `connector "${name}" has no entity ${JSON.stringify(entity)}; it has ${list(connector.entities.keys())}`,
        );
      }
      const distinct = [...new Set(keys)];
      if (distinct.length === 0) return new Map();
      const answer = await cached(entity, distinct, ctx);
      // Every key answered exactly once, in the order asked.
      const out = new Map<string, KeyResult>();
      for (const key of distinct) out.set(key, answer.get(key) ?? { status: 'error', error: missingKeyError(name, entity, key) });
      return out;
    },
    async call(command, input, ctx) {
      const info = connector.commands.get(command);
      if (info === undefined) {
        throw connErr.CONN_ERR_UNKNOWN_ENTITY(
          `connector "${name}" has no command ${JSON.stringify(command)}; it has ${list(connector.commands.keys())}`,
        );
      }
      const attempt: Attempt = { kind: 'call', command, input, tenant: ctx.tenant, observe: ctx.observe };
      try {
        // A write that may not be repeated safely is tried once: a timeout does not prove it did not happen.
        return await (info.idempotent ? retrying : instrumented)(attempt, ctx.signal);
      } catch (err) {
        throw toConnectorError(name, err, ctx.signal);
      }
    },
    async check(signal) {
      try {
        await checkTimed(undefined, signal);
      } catch (err) {
        throw toConnectorError(name, err, signal);
      }
    },
    async close() {
      breaker?.shutdown();
      await connector.close();
    },
  };
}
