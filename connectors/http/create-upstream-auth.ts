// Builds the UpstreamAuth for a connector's `auth` config: one place that knows every auth type, so adapters only
// say `createUpstreamAuth(config.auth, { connector, clock })`.
import type { Clock } from '../../common/clock.ts';
import { createOAuth2ClientCredentials } from './oauth2-client-credentials.ts';
import { apiKeyAuth, basicAuth, bearerAuth, staticAuth, type AuthConfig, type UpstreamAuth } from './upstream-auth.ts';

export interface UpstreamAuthDeps {
  /** Connector name, for messages. */
  readonly connector: string;
  readonly clock: Clock;
  /** Gives up on an OAuth2 token endpoint after this long (ms). Default 10 s. */
  readonly fetchTimeoutMs?: number;
}

/** An UpstreamAuth plus the resources it holds (the token endpoint's connection pool for OAuth2). */
export type ClosableUpstreamAuth = UpstreamAuth & { close(): Promise<void> };

const NO_HEADERS = staticAuth({});

export function createUpstreamAuth(config: AuthConfig, deps: UpstreamAuthDeps): ClosableUpstreamAuth {
  const closable = (auth: UpstreamAuth): ClosableUpstreamAuth => ({ ...auth, close: async () => {} });
  switch (config.type) {
    case 'none':
      return closable(NO_HEADERS);
    case 'api-key':
      return closable(apiKeyAuth(config.header, config.key));
    case 'basic':
      return closable(basicAuth(config.username, config.password));
    case 'bearer':
      return closable(bearerAuth(config.token));
    case 'oauth2-client-credentials':
      return createOAuth2ClientCredentials({
        connector: deps.connector,
        tokenUrl: config.tokenUrl,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        ...(config.scope === undefined ? {} : { scope: config.scope }),
        refreshSkewMs: config.refreshSkewMs,
        clock: deps.clock,
        ...(deps.fetchTimeoutMs === undefined ? {} : { fetchTimeoutMs: deps.fetchTimeoutMs }),
      });
    default: {
      const unknown: never = config;
      throw new TypeError(`unknown auth type ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
}
