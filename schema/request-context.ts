// The per-request context resolvers use (STYLE.md 11): DataLoaders created lazily, one per (connector, entity), so
// every load of one entity in one tick becomes one connector.load with the distinct keys. Every call carries the
// principal's tenant (the connectors' shared caches are keyed by it) and the request's signal; with explain on, the
// connector layer's observations are recorded for the report.
import type { Clock } from '../common/clock.ts';
import type { Connector } from '../connectors/connector.ts';
import { createEntityLoader, type EntityLoader } from '../connectors/entity-loader.ts';
import { schemaErr } from './error-catalogue.ts';
import { createExplainRecorder, type ExplainRecorder } from './explain-recorder.ts';
import type { CommandRef, Principal, RequestOptions, SourceRef } from './schema-module.ts';

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
}

export interface RequestContextDeps {
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly clock: Clock;
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
  return {
    [CONTEXT]: true,
    principal,
    signal: options.signal,
    explain,
    load: async (ref, key) => loaderFor(ref).load(key),
    prime(ref, key, value) {
      if (deps.connectors.get(ref.connector)?.entities.has(ref.entity)) loaderFor(ref).prime(key, value);
    },
    call: async (ref, input) => connectorFor(deps.connectors, ref).call(ref.command, input, callCtx),
  };
}
