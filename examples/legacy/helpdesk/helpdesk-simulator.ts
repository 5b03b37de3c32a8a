// The Helpdesk legacy simulator: a GraphQL API at /graphql (POST with a JSON body, or GET with query parameters for
// queries), executed by graphql-js against a mutable copy of the demo tickets. Errors come back in the standard
// shape {errors: [{message, locations, path, extensions: {code}}], data}; the kit's knobs break it the ways GraphQL
// upstreams break (see createHelpdeskSimulator).
import type { ServerResponse } from 'node:http';
import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
} from 'graphql';
import { systemClock, type Clock } from '../../../common/clock.ts';
import type { DemoData } from '../demo-data.ts';
import { createSimulator, sendJson, streamOversized, truncate, type Simulator, type SimulatorKnobs, type SimulatorRequest } from '../simulator-kit.ts';
import { createHelpdeskSchema } from './helpdesk-schema.ts';
import { createTicketStore, type Ticket } from './helpdesk-ticket-store.ts';

export interface HelpdeskSimulatorOptions {
  readonly data: DemoData;
  /** Tickets whose assignee and full record are in unreachable cold storage (partial answers). Default none. */
  readonly archivedTicketIds?: Iterable<string>;
  /** Stamps updatedAt on status updates (never earlier than the newest stamp). Default the system clock. */
  readonly clock?: Clock;
  readonly knobs?: Partial<SimulatorKnobs>;
}

export type HelpdeskSimulator = Simulator & {
  /** The current state of one ticket (after updates), for tests. */
  ticket(id: string): Readonly<Ticket> | undefined;
};

export const HELPDESK_PATH = '/graphql';
/** The body size the `oversized` knob sends. */
export const HELPDESK_OVERSIZED_BYTES = 20 * 1024 * 1024;
/** Parsed and validated documents kept, keyed by query text; the cache is emptied when full. */
const DOCUMENT_CACHE_SIZE = 500;

interface Prepared {
  /** Absent when the query does not parse. */
  readonly document?: DocumentNode;
  /** Parse or validation errors: the document is not executed. */
  readonly errors?: readonly GraphQLFormattedError[];
}

interface GraphqlParams {
  readonly query: string;
  readonly variables: Record<string, unknown> | undefined;
  readonly operationName: string | undefined;
}

const withCode = (error: GraphQLError, code: string): GraphQLFormattedError => {
  const formatted = error.toJSON();
  return { ...formatted, extensions: { code, ...formatted.extensions } };
};

/** The route label: "graphql " + the operation's root fields ("graphql ticketsByUsers"). */
function routeOf(operation: OperationDefinitionNode | null | undefined): string {
  if (!operation) return 'graphql (invalid)';
  const names = operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : '...'));
  return `graphql ${names.join('+')}`;
}

function readParams(sr: SimulatorRequest): GraphqlParams | string {
  let raw: Record<string, unknown>;
  if (sr.req.method === 'GET') {
    const p = sr.url.searchParams;
    let variables: unknown;
    try {
      variables = p.get('variables') ? JSON.parse(p.get('variables')!) : undefined;
    } catch {
      return 'the variables parameter must be a JSON object';
    }
    raw = { query: p.get('query'), variables, operationName: p.get('operationName') ?? undefined };
  } else {
    try {
      raw = JSON.parse(sr.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return 'the body must be a JSON object {query, variables, operationName}';
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'the body must be a JSON object {query, variables, operationName}';
  }
  const { query, variables, operationName } = raw;
  if (typeof query !== 'string' || query.trim() === '') return 'query must be a non-empty string';
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) return 'variables must be a JSON object';
  if (operationName != null && typeof operationName !== 'string') return 'operationName must be a string';
  return { query, variables: (variables ?? undefined) as Record<string, unknown> | undefined, operationName: operationName ?? undefined };
}

/** Streams ~20 MB of syntactically valid JSON: one ticket repeated in a list (see streamOversized). */
function sendOversized(res: ServerResponse, sample: Ticket | undefined): Promise<void> {
  const item = JSON.stringify(sample ?? { id: 'T0000000' });
  return streamOversized(res, { contentType: 'application/json; charset=utf-8', head: '{"data":{"ticketsByUsers":[', item: `${item},`, tail: `${item}]}}`, bytes: HELPDESK_OVERSIZED_BYTES });
}

/**
 * Creates the Helpdesk simulator. Knobs: `malformed` answers with the real answer's JSON cut in half (HTTP 200),
 * `hostile` with HTTP 200 `{"errors":[{"message":"internal"}],"data":null}`, `oversized` with a ~20 MB JSON body
 * streamed in chunks; latency, errorRate (HTTP 500 with a GraphQL error body) and hang are applied by the kit.
 * Requests are counted by root field: "graphql ticketsByUsers", "graphql updateTicketStatus", "graphql __typename".
 */
export function createHelpdeskSimulator(options: HelpdeskSimulatorOptions): HelpdeskSimulator {
  const store = createTicketStore(options.data.tickets, options.clock ?? systemClock);
  const archivedIds = new Set(options.archivedTicketIds ?? []);
  const schema = createHelpdeskSchema(store, (id) => archivedIds.has(id));
  const documents = new Map<string, Prepared>();

  function prepare(query: string): Prepared {
    let prepared = documents.get(query);
    if (prepared) return prepared;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      prepared = errors.length > 0 ? { document, errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) } : { document };
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      prepared = { errors: [withCode(err, 'GRAPHQL_PARSE_FAILED')] };
    }
    if (documents.size >= DOCUMENT_CACHE_SIZE) documents.clear();
    documents.set(query, prepared);
    return prepared;
  }

  async function handle(sr: SimulatorRequest, res: ServerResponse): Promise<void> {
    const path = sr.url.pathname.replace(/\/+$/, '') || '/';
    if (path !== HELPDESK_PATH) {
      sr.count('(unknown)');
      return sendJson(res, 404, { errors: [{ message: `no route ${path}; the API is at POST ${HELPDESK_PATH}`, extensions: { code: 'NOT_FOUND' } }] });
    }
    const method = sr.req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') {
      sr.count('(unknown)');
      res.setHeader('allow', 'GET, POST');
      return sendJson(res, 405, { errors: [{ message: `${method} is not supported; use POST`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    }
    const params = readParams(sr);
    if (typeof params === 'string') {
      sr.count('graphql (invalid)');
      return sendJson(res, 400, { errors: [{ message: params, extensions: { code: 'BAD_REQUEST' } }] });
    }
    const prepared = prepare(params.query);
    const operation = prepared.document ? getOperationAST(prepared.document, params.operationName) : undefined;
    sr.count(routeOf(operation));

    if (sr.knobs.hostile) return sendJson(res, 200, { errors: [{ message: 'internal' }], data: null });
    if (sr.knobs.oversized) return sendOversized(res, store.byId('T0000001'));

    let result: ExecutionResult | { errors: readonly GraphQLFormattedError[] };
    if (prepared.errors || !prepared.document) {
      result = { errors: prepared.errors ?? [] };
    } else if (method === 'GET' && operation && operation.operation !== 'query') {
      res.setHeader('allow', 'POST');
      return sendJson(res, 405, { errors: [{ message: `a ${operation.operation} must be sent with POST`, extensions: { code: 'METHOD_NOT_ALLOWED' } }] });
    } else {
      result = await execute({ schema, document: prepared.document, variableValues: params.variables, operationName: params.operationName });
    }
    const body: { errors?: GraphQLFormattedError[]; data?: unknown } = {};
    if (result.errors && result.errors.length > 0) {
      // Without data the request never executed (bad variables, no such operation): the caller's input is wrong.
      const fallback = 'data' in result ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT';
      body.errors = result.errors.map((e) => (e instanceof GraphQLError ? withCode(e, fallback) : e));
    }
    if ('data' in result) body.data = result.data ?? null;
    if (sr.knobs.malformed) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(truncate(JSON.stringify(body)));
      return;
    }
    sendJson(res, 200, body);
  }

  const sim = createSimulator({
    name: 'helpdesk',
    handle,
    knobs: options.knobs,
    errorResponse(res) {
      sendJson(res, 500, { errors: [{ message: 'helpdesk simulator: injected failure', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    },
  });
  return Object.assign(sim, { ticket: (id: string) => store.byId(id) });
}
