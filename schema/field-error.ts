// How a failure reaches the client as a field error (partial results): the field is null and the error's extensions
// carry the stable code, the source that failed and whether retrying may help. Errors in no catalogue pass through
// untouched, so gateway/ masks them as "Unexpected error".
import { GraphQLError } from 'graphql';
import { UnicsError } from '../common/errors.ts';

export interface FieldErrorExtensions {
  readonly code: string;
  /** The connector's name (crm, shop, helpdesk, wms), or the part of UniCS (chat) the field comes from. */
  readonly source?: string;
  readonly retriable: boolean;
  /** The error's details, documented as safe for clients (e.g. a SOAP fault's detailCode). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export function toFieldError(err: unknown, source?: string): unknown {
  if (err instanceof GraphQLError || !(err instanceof UnicsError)) return err;
  const extensions: FieldErrorExtensions = {
    code: err.code,
    ...(source === undefined ? {} : { source }),
    retriable: err.retriable,
    ...(err.details === undefined ? {} : { details: err.details }),
  };
  return new GraphQLError(err.message, { originalError: err, extensions: { ...extensions } });
}

/** Runs `work` and turns its failure into a field error of `source`. */
export async function fromSource<T>(source: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toFieldError(err, source);
  }
}
