// Connector kinds registered by name, and loading of the `connectors:` section of unics.yaml: every definition is
// validated at load time (shared options here, kind options by the kind's schema), all problems are reported at
// once, and each raw connector is wrapped with the resilience its options ask for.
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import type { Connector, ConnectorKind } from './connector.ts';
import { describeIssues, SHARED_KEYS, sharedConfigSchema, toResiliencePolicy, type SharedConfig } from './connector-config.ts';
import type { ConnectorEmitter } from './connector-events.ts';
import { connErr } from './error-catalogue.ts';
import { defaultPolicy, type ResiliencePolicy } from './resilience/policy.ts';
import type { CacheStore } from './resilience/cache-store.ts';
import { withResilience } from './resilience/with-resilience.ts';

export interface ConnectorRegistry {
  readonly kinds: readonly string[];
  get(kind: string): ConnectorKind;
}

/** Builds a registry; a kind object missing a part, or two kinds with one name, fail here, at load time. */
export function createConnectorRegistry(kinds: readonly ConnectorKind[]): ConnectorRegistry {
  const byName = new Map<string, ConnectorKind>();
  for (const k of kinds) {
    const missing = (['kind', 'description', 'configSchema', 'create'] as const).filter((p) => !k || k[p] === undefined);
    if (missing.length > 0) {
      throw connErr.CONN_ERR_CONFIG(`connector kind ${JSON.stringify(k?.kind ?? '(unnamed)')} is missing ${missing.join(', ')}; a kind needs kind, description, configSchema and create`);
    }
    if (byName.has(k.kind)) throw connErr.CONN_ERR_CONFIG(`connector kind "${k.kind}" is registered twice`);
    byName.set(k.kind, k);
  }
  return {
    kinds: [...byName.keys()].sort(),
    get(kind) {
      const found = byName.get(kind);
      if (!found) {
        throw connErr.CONN_ERR_CONFIG(`unknown connector kind "${kind}"; known kinds: ${[...byName.keys()].sort().join(', ')}`);
      }
      return found;
    },
  };
}

export interface LoadConnectorsDeps {
  readonly registry: ConnectorRegistry;
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: ConnectorEmitter;
  /** Shared cache store for connectors whose `cache.store` is "redis"; memory caches are per connector. */
  readonly redisCacheStore?: CacheStore;
  /** Defaults for options a definition leaves out. */
  readonly defaults?: ResiliencePolicy;
}

export interface LoadedConnectors {
  readonly connectors: ReadonlyMap<string, Connector>;
  /** The policy each connector runs with (for /debug and docs). */
  readonly policies: ReadonlyMap<string, ResiliencePolicy>;
  close(): Promise<void>;
}

interface Validated {
  readonly shared: SharedConfig;
  readonly kind: ConnectorKind;
  readonly kindConfig: unknown;
}

/** Validates every definition; throws one CONN_ERR_CONFIG listing every problem found. */
export function validateConnectorDefinitions(definitions: unknown, registry: ConnectorRegistry): Validated[] {
  if (definitions === undefined || definitions === null) return [];
  if (!Array.isArray(definitions)) {
    throw connErr.CONN_ERR_CONFIG(`connectors must be a list of connector definitions (- name: crm ...), but got ${typeof definitions}`);
  }
  const problems: string[] = [];
  const validated: Validated[] = [];
  const seen = new Set<string>();
  definitions.forEach((def: unknown, index) => {
    const label = typeof (def as { name?: unknown })?.name === 'string' ? (def as { name: string }).name : `#${index + 1}`;
    if (def === null || typeof def !== 'object' || Array.isArray(def)) {
      problems.push(`connector ${label}: must be a mapping with at least name and kind`);
      return;
    }
    const shared = sharedConfigSchema.safeParse(def);
    if (!shared.success) {
      problems.push(...describeIssues(label, shared.error.issues, def));
      return;
    }
    if (seen.has(shared.data.name)) {
      problems.push(`connector "${shared.data.name}": the name is used twice; connector names must be unique`);
      return;
    }
    seen.add(shared.data.name);
    let kind: ConnectorKind;
    try {
      kind = registry.get(shared.data.kind);
    } catch (err) {
      problems.push(`connector "${shared.data.name}": ${(err as Error).message}`);
      return;
    }
    const own: Record<string, unknown> = { name: shared.data.name };
    for (const [k, v] of Object.entries(def)) if (!(SHARED_KEYS as readonly string[]).includes(k)) own[k] = v;
    const kindConfig = kind.configSchema.safeParse(own);
    if (!kindConfig.success) {
      problems.push(...describeIssues(shared.data.name, kindConfig.error.issues, own));
      return;
    }
    validated.push({ shared: shared.data, kind, kindConfig: kindConfig.data });
  });
  if (problems.length > 0) {
    throw connErr.CONN_ERR_CONFIG(`invalid connector configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { details: { problems } });
  }
  return validated;
}

/** Validates, creates and wraps every connector; closes the ones already created if a later one fails. */
export async function loadConnectors(definitions: unknown, deps: LoadConnectorsDeps): Promise<LoadedConnectors> {
  const validated = validateConnectorDefinitions(definitions, deps.registry);
  const connectors = new Map<string, Connector>();
  const policies = new Map<string, ResiliencePolicy>();
  try {
    for (const v of validated) {
      const raw = v.kind.create(v.kindConfig, { log: deps.log.child({ connector: v.shared.name }), clock: deps.clock });
      const policy = toResiliencePolicy(v.shared, deps.defaults ?? defaultPolicy);
      const useRedis = v.shared.cache?.store === 'redis';
      if (useRedis && !deps.redisCacheStore) {
        throw connErr.CONN_ERR_CONFIG(`connector "${v.shared.name}": cache.store is "redis", but no Redis is configured (set REDIS_URL or services.redisUrl), or use cache.store: memory`);
      }
      connectors.set(
        v.shared.name,
        withResilience(raw, policy, {
          clock: deps.clock,
          events: deps.events,
          ...(useRedis && deps.redisCacheStore ? { cacheStore: deps.redisCacheStore } : {}),
        }),
      );
      policies.set(v.shared.name, policy);
    }
  } catch (err) {
    await Promise.allSettled([...connectors.values()].map((c) => c.close()));
    throw err;
  }
  return {
    connectors,
    policies,
    async close() {
      await Promise.allSettled([...connectors.values()].reverse().map((c) => c.close()));
    },
  };
}
