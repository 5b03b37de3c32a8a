// Which tokens the process accepts, from the auth section of the configuration. With neither a secret
// (UNICS_JWT_SECRET, auth.hs256Secret) nor a JWKS (auth.jwksUrl), the built-in development secret is used, and the
// app logs a warning: anyone who reads this file can mint tokens for it.
import type { TokenVerifierConfig } from '../gateway/auth/token-verifier.ts';
import type { Config } from './config.ts';

export const DEV_JWT_SECRET = 'unics-development-secret-do-not-use-in-production';

export interface AuthSettings {
  readonly verifier: TokenVerifierConfig;
  /** The HS256 secret tokens are signed with (for `unics token` and the demo's printed tokens); undefined with a JWKS. */
  readonly hs256Secret: string | undefined;
  /** True when the built-in development secret is in use. */
  readonly developmentSecret: boolean;
}

export function authSettings(auth: Config['auth']): AuthSettings {
  const developmentSecret = auth.hs256Secret === undefined && auth.jwksUrl === undefined;
  const hs256Secret = developmentSecret ? DEV_JWT_SECRET : auth.hs256Secret;
  const verifier: TokenVerifierConfig = {
    ...(hs256Secret !== undefined ? { hs256Secret } : {}),
    ...(auth.jwksUrl !== undefined ? { jwksUrl: auth.jwksUrl } : {}),
    ...(auth.algorithms !== undefined ? { algorithms: auth.algorithms } : {}),
    ...(auth.issuer !== undefined ? { issuer: auth.issuer } : {}),
    ...(auth.audience !== undefined ? { audience: auth.audience } : {}),
    tenants: auth.tenants,
  };
  return { verifier, hs256Secret, developmentSecret };
}

export const DEV_SECRET_WARNING =
  'auth: no UNICS_JWT_SECRET, auth.hs256Secret or auth.jwksUrl is configured, so tokens are checked against the built-in ' +
  'DEVELOPMENT secret, which anyone can read in the source. Fine for the demo; set UNICS_JWT_SECRET or auth.jwksUrl anywhere else.';
