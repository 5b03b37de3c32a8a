// How errors that happen outside a GraphQL operation reach HTTP clients. On /graphql the body is a GraphQL response
// (`{"errors": [{"message", "extensions": {"code"}}]}`) so GraphQL clients show it; elsewhere it is
// `{"error": {"code", "message"}}` like the rest of UniCS. Fastify's own errors (body too large, malformed JSON,
// unsupported content type) are mapped to GATEWAY codes; anything uncatalogued is masked and logged.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { commonErrors, formatSize, isUnicsError, toPublicError, type UnicsError } from '../common/index.ts';
import { gwErr } from './error-catalogue.ts';

export const GRAPHQL_PATH = '/graphql';

export function isGraphQLRequest(request: FastifyRequest): boolean {
  return (request.url.split('?')[0] ?? '') === GRAPHQL_PATH;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: UnicsError): FastifyReply {
  const pub = toPublicError(error);
  if (error.code === gwErr.GATEWAY_ERR_UNAUTHENTICATED.code) {
    // RFC 6750: say which scheme is expected, and whether a token was there but unusable.
    const invalid = request.headers.authorization ? ', error="invalid_token"' : '';
    void reply.header('www-authenticate', `Bearer realm="unics"${invalid}`);
  }
  void reply.code(pub.httpStatus).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store');
  if (isGraphQLRequest(request)) {
    const extensions = pub.details === undefined ? { code: pub.code } : { code: pub.code, details: pub.details };
    return reply.send(JSON.stringify({ errors: [{ message: pub.message, extensions }] }));
  }
  return reply.send(JSON.stringify({ error: { code: pub.code, message: pub.message, ...(pub.details ? { details: pub.details } : {}) } }));
}

/** Maps an error Fastify raised (or one a hook threw) to a catalogued error. */
export function toGatewayError(error: FastifyError | Error, request: FastifyRequest, bodyLimitBytes: number): { error: UnicsError; unexpected: boolean } {
  if (isUnicsError(error)) return { error, unexpected: false };
  const code = (error as FastifyError).code;
  const status = (error as FastifyError).statusCode;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
    return { error: gwErr.GATEWAY_ERR_PAYLOAD_TOO_LARGE(`the request body is larger than the limit of ${formatSize(bodyLimitBytes)}`), unexpected: false };
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
    const type = request.headers['content-type'] ?? '(none)';
    return { error: gwErr.GATEWAY_ERR_UNSUPPORTED_MEDIA_TYPE(`the content type ${JSON.stringify(type)} is not supported; send "Content-Type: application/json"`), unexpected: false };
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return { error: gwErr.GATEWAY_ERR_MALFORMED_REQUEST('the request body is empty; send a JSON object such as {"query": "{ __typename }"}'), unexpected: false };
  }
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && status === 400)) {
    return { error: gwErr.GATEWAY_ERR_MALFORMED_REQUEST(`the request body is not valid JSON: ${error.message}`), unexpected: false };
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return { error: gwErr.GATEWAY_ERR_MALFORMED_REQUEST(`the request could not be read: ${error.message}`), unexpected: false };
  }
  return { error: commonErrors.errors.COMMON_ERR_UNEXPECTED('Unexpected error', { cause: error }), unexpected: true };
}
