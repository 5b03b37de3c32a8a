// The CONN catalogue: every way a call to a legacy system can fail, with whether retrying can help.
// docs/errors.md lists these under "CONN"; test/docs-errors.test.ts keeps the two in step.
import { defineErrors } from '../common/errors.ts';

export const connectorErrors = defineErrors('CONN', {
  CONN_ERR_CONFIG: {
    description: 'A connector definition is invalid (unknown kind, missing or malformed option). The message names the connector, the option, what was expected and what arrived.',
    httpStatus: 500,
    retriable: false,
  },
  CONN_ERR_TIMEOUT: {
    description: "The upstream did not answer within the connector's timeout; the request to it was cancelled.",
    httpStatus: 504,
    retriable: true,
  },
  CONN_ERR_ABORTED: {
    description: 'The caller gave up (its deadline passed or its client went away) before the upstream answered; the upstream request was cancelled.',
    httpStatus: 499,
    retriable: false,
  },
  CONN_ERR_UNAVAILABLE: {
    description: 'The upstream could not be reached or answered with a server error (connection refused or reset, HTTP 5xx).',
    httpStatus: 502,
    retriable: true,
  },
  CONN_ERR_REJECTED: {
    description: 'The upstream refused the request as invalid (HTTP 4xx other than 401, 404 and 429). Retrying the same request cannot help.',
    httpStatus: 502,
    retriable: false,
  },
  CONN_ERR_RATE_LIMITED: {
    description: 'The upstream asked us to slow down (HTTP 429). Retried after a backoff where the call is idempotent.',
    httpStatus: 503,
    retriable: true,
  },
  CONN_ERR_UNAUTHORIZED: {
    description: "The upstream refused the connector's credentials, also after one refresh (HTTP 401/403, OAuth2 token errors). Check the connector's auth settings.",
    httpStatus: 502,
    retriable: false,
  },
  CONN_ERR_NOT_FOUND: {
    description: 'The upstream has no record for this key. Usually a per-key value (the field resolves to null), not a failed call.',
    httpStatus: 404,
    retriable: false,
  },
  CONN_ERR_MALFORMED_RESPONSE: {
    description: "The upstream's answer could not be read: invalid JSON or XML, a SOAP envelope without a body, or a shape the connector's mapping does not match.",
    httpStatus: 502,
    retriable: false,
  },
  CONN_ERR_RESPONSE_TOO_LARGE: {
    description: "The upstream's answer exceeded the connector's size limit (maxResponseSize) and was cut off unread.",
    httpStatus: 502,
    retriable: false,
  },
  CONN_ERR_XML_FORBIDDEN: {
    description: 'The upstream sent XML with a DOCTYPE, entity declarations or nesting deeper than the limit. Refused unparsed (entity expansion and external entities are never processed).',
    httpStatus: 502,
    retriable: false,
  },
  CONN_ERR_SOAP_FAULT: {
    description: 'The SOAP service answered with a Fault. Server faults are retriable on idempotent operations; Client faults are not. The fault code and string are in the details.',
    httpStatus: 502,
    retriable: false,
  },
  CONN_ERR_UPSTREAM_GRAPHQL: {
    description: 'The upstream GraphQL API answered with errors and no usable data for the requested keys.',
    httpStatus: 502,
    retriable: false,
  },
  CONN_ERR_CIRCUIT_OPEN: {
    description: "The connector's circuit breaker is open after too many failures; calls fail fast until a trial call succeeds (after resetTimeout).",
    httpStatus: 503,
    retriable: false,
  },
  CONN_ERR_OVERLOADED: {
    description: "Too many calls are waiting for this upstream (the connector's concurrency queue is full). Retry shortly.",
    httpStatus: 503,
    retriable: true,
  },
  CONN_ERR_UNKNOWN_ENTITY: {
    description: 'The connector was asked for an entity or command it does not define. The message lists the ones it has.',
    httpStatus: 500,
    retriable: false,
  },
});

export const connErr = connectorErrors.errors;
