// Hive Gateway configuration for the gateway benchmark's peer:
//   npx hive-gateway supergraph bench/peers/hive/supergraph.graphql -c bench/peers/hive/gateway.config.ts --port N
// (CRM_TOKEN in the environment: the CRM bearer token the supergraph's CRM transport interpolates into its header.)
// Everything that batches is on: client request batching (`batching`), batched execution of the delegations to one
// subgraph in the same tick (`__experimental__batchExecution`, on by default, set here so it stays on), and the batch
// delegation of the @resolveTo joins declared in mesh.config.ts (keysArg). Deduplication of identical in-flight
// upstream GraphQL requests is on by default for HTTP subgraphs. No response cache: the benchmark measures the
// live path, and neither UniCS nor plain Apollo caches.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  batching: { limit: 10 },
  __experimental__batchExecution: true,
  logging: 'error',
  // The supergraph is a local file composed once before the run; re-reading it every 10 s (the default) is noise.
  pollingInterval: 0,
});
