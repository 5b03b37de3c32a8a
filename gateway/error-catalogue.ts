// The GATEWAY catalogue: what the HTTP and WebSocket surface answers before (or instead of) running a GraphQL
// operation: authentication, request limits, malformed requests, readiness. docs/errors.md lists these under "GATEWAY".
import { defineErrors } from '../common/errors.ts';

export const gatewayErrors = defineErrors('GATEWAY', {
  GATEWAY_ERR_UNAUTHENTICATED: {
    description:
      'The request has no bearer token, or its token is malformed, expired, not yet valid, signed with another key or ' +
      'with an algorithm that is not allowed. The message says which. Get a fresh token (`npx unics token` in development).',
    httpStatus: 401,
    retriable: false,
    wsClose: 4401,
  },
  GATEWAY_ERR_FORBIDDEN: {
    description: "The token is valid, but its tenant is not served by this gateway (auth.tenants). Use a token for one of the configured tenants.",
    httpStatus: 403,
    retriable: false,
    wsClose: 4403,
  },
  GATEWAY_ERR_AUTH_UNAVAILABLE: {
    description: 'The signing keys (JWKS) could not be fetched, so no token can be verified right now. Retry shortly; check auth.jwksUrl.',
    httpStatus: 503,
    retriable: true,
  },
  GATEWAY_ERR_PAYLOAD_TOO_LARGE: {
    description: 'The request body (or WebSocket message) is larger than the gateway accepts (gateway.limits.bodyLimit, default 1 MiB).',
    httpStatus: 413,
    retriable: false,
    wsClose: 1009,
  },
  GATEWAY_ERR_MALFORMED_REQUEST: {
    description: 'The request could not be read: the body is not valid JSON, is empty, or has the wrong shape. The message names the problem.',
    httpStatus: 400,
    retriable: false,
  },
  GATEWAY_ERR_UNSUPPORTED_MEDIA_TYPE: {
    description: 'The request body has a content type the gateway does not read. Send `Content-Type: application/json`.',
    httpStatus: 415,
    retriable: false,
  },
  GATEWAY_ERR_QUERY_TOO_DEEP: {
    description: 'The operation nests fields deeper than gateway.limits.maxDepth (default 12). Ask for fewer nested levels.',
    httpStatus: 400,
    retriable: false,
  },
  GATEWAY_ERR_TOO_MANY_ALIASES: {
    description: 'The operation uses more field aliases than gateway.limits.maxAliases (default 30).',
    httpStatus: 400,
    retriable: false,
  },
  GATEWAY_ERR_QUERY_TOO_COSTLY: {
    description:
      'The operation\'s estimated cost exceeds gateway.limits.maxCost (default 50000): each field costs 1 and a list field multiplies ' +
      'its selection by `first`, the length of `ids`, or 10. Request fewer items or fields.',
    httpStatus: 400,
    retriable: false,
  },
  GATEWAY_ERR_TOO_MANY_OPERATIONS: {
    description: 'The document defines more operations than gateway.limits.maxOperations (default 10). Send one operation per request.',
    httpStatus: 400,
    retriable: false,
  },
  GATEWAY_ERR_VARIABLES_TOO_LARGE: {
    description: 'The operation\'s variables are larger than gateway.limits.maxVariablesSize (default 64 KiB).',
    httpStatus: 400,
    retriable: false,
  },
  GATEWAY_ERR_ROUTE_NOT_FOUND: {
    description: 'No endpoint at this method and path. The message lists the endpoints the gateway serves.',
    httpStatus: 404,
    retriable: false,
  },
  GATEWAY_ERR_NOT_READY: {
    description: 'A dependency the gateway needs is unavailable, or the process is shutting down; `/readyz` names the failing dependencies. Retry shortly or against another instance.',
    httpStatus: 503,
    retriable: true,
  },
});

export const gwErr = gatewayErrors.errors;
