// The public surface of gateway/: the HTTP, GraphQL and WebSocket server around the unified schema.
export { createGateway, type Gateway, type GatewayOptions, type GatewayRoutes } from './create-gateway.ts';
export { gatewayErrors, gwErr } from './error-catalogue.ts';
export { createTokenVerifier, ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, MIN_SECRET_LENGTH, type TokenVerifier, type TokenVerifierConfig } from './auth/token-verifier.ts';
export { signDevToken, DEFAULT_DEV_TOKEN_SECONDS, type DevTokenOptions } from './auth/sign-dev-token.ts';
export { DEFAULT_LIMITS, resolveLimits, type GatewayLimits } from './limits/gateway-limits.ts';
export { measureOperation, type OperationMeasure } from './limits/measure-operation.ts';
export { createBoundedApqCache, type BoundedApqCache } from './limits/bounded-apq-cache.ts';
export { EXPLAIN_HEADER } from './apollo-plugins.ts';
export type { ReadinessCheck, ReadinessReport } from './health-routes.ts';
export type { UpgradeHandler } from './graphql-ws-server.ts';
