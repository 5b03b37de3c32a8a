// The rest kind: REST/JSON upstreams described in config (batch or per-key entity loads, commands with path
// placeholders), any upstream auth including OAuth2 client credentials.
import type { ConnectorKind } from '../connector.ts';
import { restConfigSchema, type RestConfig } from './rest-config.ts';
import { createRestConnector } from './rest-connector.ts';

export const restKind = {
  kind: 'rest',
  description: 'REST/JSON over HTTP: entities by batch request (keys in a query parameter or JSON body) or one request per key, commands with {field} path placeholders; auth none, api-key, basic, bearer or oauth2-client-credentials',
  configSchema: restConfigSchema,
  create: createRestConnector,
} satisfies ConnectorKind<RestConfig>;

export { createRestConnector } from './rest-connector.ts';
export { restConfigSchema, type RestConfig, type RestConfigInput, type RestCommandConfig, type RestEntityConfig } from './rest-config.ts';
