// How a connector authenticates to its upstream. One small interface; the static kinds (API key, basic, bearer)
// are here, OAuth2 client credentials in oauth2-client-credentials.ts. Secrets never appear in messages or logs.
import { z } from 'zod';

export interface UpstreamAuth {
  /** Headers to add to a request (may fetch or refresh a token). */
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  /** True when a 401 may be cured by fetching new credentials (then the request is retried once). */
  readonly refreshable: boolean;
  /** Drops the credentials that produced `used` (a 401 answered them), so the next call fetches new ones. */
  invalidate(used: Readonly<Record<string, string>>): void;
}

export const authConfigSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z.object({ type: z.literal('api-key'), header: z.string().min(1).default('x-api-key'), key: z.string().min(1) }).strict(),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string() }).strict(),
  z.object({ type: z.literal('bearer'), token: z.string().min(1) }).strict(),
  z
    .object({
      type: z.literal('oauth2-client-credentials'),
      tokenUrl: z.url({ protocol: /^https?$/ }),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      scope: z.string().optional(),
      /** Fetch a new token this long before the current one expires (ms). */
      refreshSkewMs: z.number().int().min(0).default(30_000),
    })
    .strict(),
]);

export type AuthConfig = z.infer<typeof authConfigSchema>;

/** Credentials that never change: a 401 cannot be cured by asking again. */
export function staticAuth(headers: Readonly<Record<string, string>>): UpstreamAuth {
  const frozen = Object.freeze({ ...headers });
  return { headers: async () => frozen, refreshable: false, invalidate: () => {} };
}

export function apiKeyAuth(header: string, key: string): UpstreamAuth {
  return staticAuth({ [header.toLowerCase()]: key });
}

export function basicAuth(username: string, password: string): UpstreamAuth {
  return staticAuth({ authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` });
}

export function bearerAuth(token: string): UpstreamAuth {
  return staticAuth({ authorization: `Bearer ${token}` });
}
