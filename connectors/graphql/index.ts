// The graphql connector kind: calls an upstream GraphQL API with declared documents, one request per batch of keys.
import type { ConnectorKind } from '../connector.ts';
import { graphqlConfigSchema, type GraphqlConfig } from './graphql-config.ts';
import { createGraphqlConnector } from './graphql-connector.ts';

export const graphqlKind = {
  kind: 'graphql',
  description: 'An upstream GraphQL API: entities are queries with a list variable of keys, commands are mutations.',
  configSchema: graphqlConfigSchema,
  create: (config, deps) => createGraphqlConnector(config, deps),
} satisfies ConnectorKind<GraphqlConfig>;

export { createGraphqlConnector, GRAPHQL_CHECK_QUERY } from './graphql-connector.ts';
export {
  graphqlConfigSchema,
  parseGraphqlConfig,
  type GraphqlCommandConfig,
  type GraphqlConfig,
  type GraphqlEntityConfig,
  type GraphqlRawConfig,
} from './graphql-config.ts';
export { mapCommandAnswer, mapEntityAnswer, type MappedBatch, type MappedCommand } from './graphql-mapping.ts';
export { decodeGraphqlBody, readGraphqlAnswer, type GraphqlAnswer, type UpstreamGraphqlError } from './graphql-response.ts';
