// The per-request context resolvers use (STYLE.md 11): DataLoaders created lazily, one per (connector, entity), so
// every load of one entity in one tick becomes one connector.load with the distinct keys. Every call carries the
// principal's tenant (the connectors' shared caches are keyed by it) and the request's signal; with explain on, the
// connector layer's observations are recorded for the report. With materialized views, one more DataLoader reads
// them: every customer resolved in one tick costs one CustomerViews.read of the principal's tenant.
import DataLoader from 'dataloader';
import type { Clock } from '../common/clock.ts';
import type { Connector } from '../connectors/connector.ts';
import { createEntityLoader, type EntityLoader } from '../connectors/entity-loader.ts';
import { schemaErr } from './error-catalogue.ts';
import { createExplainRecorder, type ExplainRecorder } from './explain-recorder.ts';
import type { CommandRef, CustomerView, CustomerViews, Principal, RequestOptions, SourceRef } from './schema-module.ts';

const CONTEXT = Symbol.for('unics.schema.context');

export interface RequestContext {
  readonly [CONTEXT]: true;
  readonly principal: Principal;
  readonly signal: AbortSignal;
  /** Present when the request asked for an explain report. */
  readonly explain: ExplainRecorder | undefined;
  /** The value of one key: null when the source does not know it; rejects with the key's UnicsError. */
  load(ref: SourceRef, key: string): Promise<unknown>;
  /** Tells the request's loader a value it already has (a search answer is also a contact by id). */
  prime(ref: SourceRef, key: string, value: unknown): void;
  /** Runs a command once; resilience retries only commands the connector declares idempotent. */
  call(ref: CommandRef, input: Readonly<Record<string, unknown>>): Promise<unknown>;
  /** Whether materialized views are configured (otherwise view() always answers null). */
  readonly hasViews: boolean;
  /** The customer's materialized view; null when it has none or the store could not be read (never rejects). */
  view(customerId: string): Promise<CustomerView | null>;
}

export interface RequestContextDeps {
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly clock: Clock;
  readonly views?: CustomerViews;
  /** Told when a read of the view store rejects (not when the request itself was aborted); the resolvers read live. */
  readonly onViewStoreFailure?: (err: unknown) => void;
}

export function isRequestContext(value: unknown): value is RequestContext {
  return typeof value === 'object' && value !== null && (value as Partial<RequestContext>)[CONTEXT] === true;
}

/** The connector serving a source, or SCHEMA_ERR_SOURCE_NOT_CONFIGURED saying what to add to unics.yaml. */
export function connectorFor(connectors: ReadonlyMap<string, Connector>, ref: SourceRef | CommandRef): Connector {
  const connector = connectors.get(ref.connector);
  const [what, name, has] =
    'entity' in ref
      ? (['entity', ref.entity, connector?.entities.has(ref.entity)] as const)
      : (['command', ref.command, connector?.commands.has(ref.command)] as const);
  if (connector === undefined) {
    const known = [...connectors.keys()].map((n) => `"${n}"`).join(', ') || 'none';
    throw schemaErr.SCHEMA_ERR_SOURCE_NOT_CONFIGURED(
      `no connector "${ref.connector}" is configured for ${ref.connector}.${name} (configured connectors: ${known}); add it to the connectors of unics.yaml`,
      { details: { source: ref.connector, [what]: name } },
    );
  }
  if (!has) {
    throw schemaErr.SCHEMA_ERR_SOURCE_NOT_CONFIGURED(
      `connector "${ref.connector}" has no ${what} "${name}"; declare it in unics.yaml (unics.example.yaml shows the demo's)`,
      { details: { source: ref.connector, [what]: name } },
    );
  }
  return connector;
}

export function createRequestContext(deps: RequestContextDeps, principal: Principal, options: RequestOptions): RequestContext {
  const explain = options.explain ? createExplainRecorder(deps.clock) : undefined;
  const callCtx = {
    tenant: principal.tenant,
    signal: options.signal,
    ...(explain ? { observe: explain.observe } : {}),
  };
  const loaders = new Map<string, EntityLoader>();
  const loaderFor = (ref: SourceRef): EntityLoader => {
    const id = `${ref.connector}\u0000${ref.entity}`;
    let loader = loaders.get(id);
    if (loader === undefined) {
      loader = createEntityLoader(connectorFor(deps.connectors, ref), ref.entity, callCtx);
      loaders.set(id, loader);
    }
    return loader;
  };
  const views = deps.views === undefined ? undefined : createViewLoader(deps.views, deps, principal.tenant, options.signal, explain);
  return {
    [CONTEXT]: true,
    principal,
    signal: options.signal,
    explain,
    load: async (ref, key) => {
      explain?.recordLive(ref.connector, ref.entity);
      return loaderFor(ref).load(key);
    },
    prime(ref, key, value) {
      if (deps.connectors.get(ref.connector)?.entities.has(ref.entity)) loaderFor(ref).prime(key, value);
    },
    call: async (ref, input) => {
      explain?.recordLive(ref.connector, ref.command);
      return connectorFor(deps.connectors, ref).call(ref.command, input, callCtx);
    },
    hasViews: views !== undefined,
    view: async (customerId) => (views === undefined ? null : views.load(customerId)),
  };
}

/**
 * One store read per tick for all the customers asked in it. Views are matched to ids by their customerId, never by
 * position (STYLE.md 2); an id the answer lacks has no view. A store failure answers null for every id of the read,
 * so the resolvers read those customers live and the client sees no error.
 */
function createViewLoader(store: CustomerViews, deps: RequestContextDeps, tenant: string, signal: AbortSignal, explain: ExplainRecorder | undefined) {
  return new DataLoader<string, CustomerView | null>(
    async (ids) => {
      const startedMs = deps.clock.monotonicMs();
      const byId = new Map<string, CustomerView>();
      try {
        const answer = await store.read(tenant, ids, signal);
        if (!Array.isArray(answer)) throw new TypeError(`CustomerViews.read should answer an array, but answered ${typeof answer}`);
        for (const view of answer) {
          if (view !== null && typeof view === 'object' && typeof view.customerId === 'string') byId.set(view.customerId, view);
        }
        explain?.recordViewStore(ids.length, ids.filter((id) => byId.has(id)).length, deps.clock.monotonicMs() - startedMs, 'success');
      } catch (err) {
        explain?.recordViewStore(ids.length, 0, deps.clock.monotonicMs() - startedMs, 'failure');
        if (!signal.aborted) deps.onViewStoreFailure?.(err);
      }
      return ids.map((id) => byId.get(id) ?? null);
    },
    { name: 'views' },
  );
}
