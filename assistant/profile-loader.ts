// createProfileLoader(): reads one customer's profile through the gateway's GraphQL executor — in process (the
// schema module's own context, as gateway/ builds it per request) or over HTTP (POST /graphql with a bearer token).
// The assistant reads as its own principal with the role "assistant", which is no refund role, so even a bug in a
// plugin cannot run Mutation.refundOrder through this path.
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { CustomerProfile, ProfileSource } from './customer-profile.ts';
import { assistErr } from './error-catalogue.ts';
import { PROFILE_ORDERS, PROFILE_QUERY, toCustomerProfile, type GraphQLResultLike } from './profile-query.ts';

export interface ExecuteRequest {
  readonly tenant: string;
  readonly query: string;
  readonly document: DocumentNode;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly signal: AbortSignal;
}

/** Runs one GraphQL operation for a tenant. */
export type GraphQLExecutor = (request: ExecuteRequest) => Promise<GraphQLResultLike>;

/** The part of schema/'s SchemaModule the in-process executor needs (UnicsSchemaModule satisfies it). */
export interface InProcessSchema {
  readonly schema: GraphQLSchema;
  createContext(principal: { subject: string; tenant: string; roles: readonly string[] }, options: { signal: AbortSignal; explain: boolean }): unknown;
}

export const ASSISTANT_PRINCIPAL = Object.freeze({ subject: 'unics-assistant', roles: Object.freeze(['assistant']) });

/** Executes in this process, with a fresh per-request context (DataLoaders) per operation, as gateway/ does. */
export function createInProcessExecutor(module: InProcessSchema): GraphQLExecutor {
  return async ({ tenant, document, variables, signal }) => {
    const contextValue = module.createContext({ ...ASSISTANT_PRINCIPAL, tenant }, { signal, explain: false });
    return (await execute({ schema: module.schema, document, variableValues: variables, contextValue })) as GraphQLResultLike;
  };
}

export interface HttpExecutorOptions {
  /** The gateway's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  readonly url: string;
  /** A bearer token for the tenant (its roles should hold no refund role). */
  token(tenant: string): string | Promise<string>;
  /** Largest answer read, in bytes. Default 1 MiB. */
  readonly maxResponseBytes?: number;
  readonly fetch?: typeof fetch;
}

/** Executes over GraphQL over HTTP against a running gateway. */
export function createHttpExecutor(options: HttpExecutorOptions): GraphQLExecutor {
  const doFetch = options.fetch ?? fetch;
  const maxBytes = options.maxResponseBytes ?? 1024 * 1024;
  return async ({ tenant, query, variables, signal }) => {
    const response = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${await options.token(tenant)}` },
      body: JSON.stringify({ query, variables }),
      signal,
    });
    const text = await readLimited(response, maxBytes);
    let body: GraphQLResultLike;
    try {
      body = JSON.parse(text) as GraphQLResultLike;
    } catch (err) {
      throw assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE(`the gateway answered HTTP ${response.status} with a body that is not JSON`, { cause: err });
    }
    if (!response.ok && body.data == null) {
      const first = body.errors?.[0];
      throw assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE(`the gateway answered HTTP ${response.status}: ${String(first?.extensions?.code ?? '')} ${first?.message ?? ''}`.trim());
    }
    return body;
  };
}

/** The body as text, refusing (and cancelling the read) past maxBytes instead of buffering whatever arrives. */
async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE(`the gateway's answer is larger than ${maxBytes} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface ProfileLoaderOptions {
  readonly execute: GraphQLExecutor;
  /** Newest orders read. Default PROFILE_ORDERS (20). */
  readonly orders?: number;
}

export function createProfileLoader(options: ProfileLoaderOptions): ProfileSource {
  const document = parse(PROFILE_QUERY);
  const first = options.orders ?? PROFILE_ORDERS;
  return {
    async load(tenant: string, customerId: string, signal: AbortSignal): Promise<CustomerProfile> {
      let result: GraphQLResultLike;
      try {
        result = await options.execute({ tenant, query: PROFILE_QUERY, document, variables: { id: customerId, first }, signal });
      } catch (err) {
        if (assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE.is(err)) throw err;
        throw assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE(`customer ${customerId}: the profile could not be read: ${(err as Error).message}`, { cause: err, details: { customerId } });
      }
      return toCustomerProfile(customerId, result);
    },
  };
}
