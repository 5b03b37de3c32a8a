// The SCHEMA catalogue: errors of the unified graph itself (roles, arguments, sources it cannot reach). Errors of
// the sources keep their CONN codes; resolvers add the source's name (extensions.source) when they pass them on.
import { defineErrors } from '../common/errors.ts';

export const schemaErrors = defineErrors('SCHEMA', {
  SCHEMA_ERR_FORBIDDEN: {
    description:
      'The caller lacks a role this operation needs (refundOrder needs one of the refund roles, by default supervisor or refunds). ' +
      'Ask an administrator for the role; retrying with the same token cannot succeed.',
    httpStatus: 403,
    retriable: false,
  },
  SCHEMA_ERR_BAD_INPUT: {
    description:
      'An argument is missing, out of range or contradicts another (searchCustomers needs exactly one of email and phone; ' +
      'amountCents must be positive). The message names the argument and what is allowed.',
    httpStatus: 400,
    retriable: false,
  },
  SCHEMA_ERR_SOURCE_NOT_CONFIGURED: {
    description:
      'The field comes from a source this deployment does not have: no connector, entity or command for it in unics.yaml, ' +
      'or a part of UniCS that is not built yet (conversations: the chat core). The field is null; other fields resolve.',
    httpStatus: 501,
    retriable: false,
  },
  SCHEMA_ERR_UNEXPECTED_VALUE: {
    description:
      'A source answered a value the unified schema cannot represent (an unknown order or ticket status, a record without ' +
      'its id). The field is null; the message names the source, the field and the value.',
    httpStatus: 502,
    retriable: false,
  },
});

export const schemaErr = schemaErrors.errors;
