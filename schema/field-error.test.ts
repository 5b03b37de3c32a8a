import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { connErr } from '../connectors/error-catalogue.ts';
import { schemaErr } from './error-catalogue.ts';
import { toFieldError } from './field-error.ts';

describe('toFieldError', () => {
  it('turns a catalogued error into a GraphQL error with code, source, retriable and safe details', () => {
    const cause = connErr.CONN_ERR_SOAP_FAULT('connector "shop": order O1 is already refunded', { details: { detailCode: 'AlreadyRefunded' } });
    const error = toFieldError(cause, 'shop') as GraphQLError;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toBe('connector "shop": order O1 is already refunded');
    expect(error.extensions).toEqual({ code: 'CONN_ERR_SOAP_FAULT', source: 'shop', retriable: false, details: { detailCode: 'AlreadyRefunded' } });
    expect(error.originalError).toBe(cause);
    expect((toFieldError(connErr.CONN_ERR_TIMEOUT('slow'), 'wms') as GraphQLError).extensions).toEqual({ code: 'CONN_ERR_TIMEOUT', source: 'wms', retriable: true });
    expect((toFieldError(schemaErr.SCHEMA_ERR_FORBIDDEN('no')) as GraphQLError).extensions).toEqual({ code: 'SCHEMA_ERR_FORBIDDEN', retriable: false });
  });

  it('leaves errors in no catalogue, and GraphQL errors, as they are (gateway/ masks the former)', () => {
    const bug = new TypeError('x is undefined');
    expect(toFieldError(bug, 'crm')).toBe(bug);
    const already = new GraphQLError('already');
    expect(toFieldError(already, 'crm')).toBe(already);
  });
});
