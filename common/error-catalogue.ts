// The COMMON catalogue: errors raised by the kernel itself (config parsing, lifecycle, state machines) and the one
// code every unknown error is masked to. docs/errors.md lists these under "COMMON".
import { defineErrors } from './errors.ts';

export const commonErrors = defineErrors('COMMON', {
  COMMON_ERR_UNEXPECTED: {
    description:
      'An error that is in no catalogue. Clients see only "Unexpected error"; the original error is in the server log. ' +
      'Report it with the time and request id.',
    httpStatus: 500,
    retriable: false,
    // 1011: the server hit an unexpected condition (RFC 6455).
    wsClose: 1011,
  },
  COMMON_ERR_CONFIG_INVALID: {
    description:
      'A configuration value is missing or malformed. The message names the setting, what was expected, what arrived ' +
      'and how to write it; fix the config file or environment and restart.',
    httpStatus: 500,
    retriable: false,
  },
  COMMON_ERR_CLOSED: {
    description:
      'A resource (store, consumer, connection pool) was used after it was closed, usually during shutdown. ' +
      'Retrying against this instance cannot succeed; clients may retry against another instance.',
    httpStatus: 503,
    retriable: false,
    // 1001: going away (server shutting down).
    wsClose: 1001,
  },
  COMMON_ERR_INVALID_TRANSITION: {
    description:
      'A state machine was asked for a transition its table does not allow; the message names both states. ' +
      'This is a bug in the caller: report it.',
    httpStatus: 500,
    retriable: false,
  },
  COMMON_ERR_TIMEOUT: {
    description: 'An operation did not finish within its time budget (the message names the operation and the budget).',
    httpStatus: 504,
    retriable: true,
  },
});
