// The public surface of connectors/: the contract, the registry, the resilience wrapper, loaders, metrics and the
// built-in kinds. Other modules import from here (the testkit has its own entry: connectors/testkit/index.ts).
export { alignByKey, failed, notFound, ok, type BatchResult, type CallContext, type CallObservation, type CommandInfo, type Connector, type ConnectorDeps, type ConnectorKind, type EntityInfo, type KeyResult } from './connector.ts';
export { connectorErrors, connErr } from './error-catalogue.ts';
export { builtinConnectorKinds } from './builtin-kinds.ts';
export { createConnectorRegistry, loadConnectors, validateConnectorDefinitions, type ConnectorRegistry, type LoadConnectorsDeps, type LoadedConnectors } from './connector-registry.ts';
export { SHARED_KEYS, sharedConfigSchema, toResiliencePolicy, type SharedConfig } from './connector-config.ts';
export { createConnectorEmitter, type ConnectorEmitter, type ConnectorEvents } from './connector-events.ts';
export { registerConnectorMetrics } from './connector-metrics.ts';
export { createEntityLoader } from './entity-loader.ts';
export { defaultPolicy, type ResiliencePolicy } from './resilience/policy.ts';
export { createMemoryCacheStore, type CacheStore } from './resilience/cache-store.ts';
export { createRedisCacheStore } from './resilience/redis-cache-store.ts';
export { withResilience } from './resilience/with-resilience.ts';
export { createHttpClient, type HttpClient } from './http/http-client.ts';
export { createUpstreamAuth } from './http/create-upstream-auth.ts';
