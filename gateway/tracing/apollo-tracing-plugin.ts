// An Apollo Server plugin that records one span per GraphQL operation and makes it the active span while the
// operation executes, so the connector spans made by connectors/connector-tracing.ts (from events emitted inside
// resolvers and DataLoader batches) become its children.
//
// Why context.attach and not context.with: a plugin cannot wrap Apollo's call to execute(). Apollo 5 calls every
// plugin's executionDidStart inside processGraphQLRequest and then awaits them before executing; attaching the
// operation's context synchronously in executionDidStart makes it active for the rest of that async function — the
// execution and everything it starts — and for nothing outside it (the HTTP handler that called Apollo keeps its own
// context). executionDidEnd and willSendResponse restore the previous context. The test
// (apollo-tracing-plugin.test.ts) pins this over real HTTP with concurrent requests.
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { context, SpanKind, SpanStatusCode, trace, type ContextManagementToken, type Span, type Tracer } from '@opentelemetry/api';
import { redactUrlCredentials } from '../../common/redact.ts';

/** Attribute names on the operation span (also listed in docs/observability.md). */
export const OPERATION_SPAN_ATTRIBUTES = {
  operationName: 'graphql.operation.name',
  operationType: 'graphql.operation.type',
  documentLength: 'unics.graphql.document_length',
  errors: 'unics.graphql.errors',
  errorCodes: 'unics.graphql.error_codes',
  httpStatus: 'http.response.status_code',
} as const;
const A = OPERATION_SPAN_ATTRIBUTES;

/** The span name before the operation is known (a parse error, a persisted query miss). */
export const OPERATION_SPAN_NAME = 'graphql.operation';
/** At most this many errors are recorded as span events (all are counted). */
const MAX_ERROR_EVENTS = 10;

interface FormattedError {
  readonly path?: readonly (string | number)[];
  readonly extensions?: Readonly<Record<string, unknown>>;
}

function responseErrors(rc: GraphQLRequestContextWillSendResponse<BaseContext>): readonly FormattedError[] {
  const body = rc.response.body;
  const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
  return (errors ?? []) as readonly FormattedError[];
}

/** Ends a span exactly once, whichever of willSendResponse or unexpectedErrorProcessingRequest comes first. */
interface OperationState {
  readonly span: Span;
  token: ContextManagementToken | undefined;
  ended: boolean;
}

function restore(state: OperationState): void {
  state.token?.dispose();
  state.token = undefined;
}

export function createApolloTracingPlugin<TContext extends BaseContext = BaseContext>(tracer: Tracer): ApolloServerPlugin<TContext> {
  const states = new WeakMap<object, OperationState>();
  return {
    async requestDidStart(requestContext) {
      const span = tracer.startSpan(OPERATION_SPAN_NAME, { kind: SpanKind.SERVER }, context.active());
      if (requestContext.request.query !== undefined) span.setAttribute(A.documentLength, requestContext.request.query.length);
      const state: OperationState = { span, token: undefined, ended: false };
      states.set(requestContext, state);

      const listener: GraphQLRequestListener<TContext> = {
        async didResolveSource(rc) {
          span.setAttribute(A.documentLength, rc.source.length);
        },
        async didResolveOperation(rc) {
          const type = rc.operation?.operation;
          if (type === undefined) return;
          const name = rc.operationName ?? undefined;
          span.updateName(name ? `${type} ${name}` : type);
          span.setAttribute(A.operationType, type);
          if (name) span.setAttribute(A.operationName, name);
        },
        // Not async on purpose up to the attach: it must run synchronously inside Apollo's call (see the top).
        executionDidStart() {
          if (!state.ended) state.token = context.attach(trace.setSpan(context.active(), span));
          return Promise.resolve({
            executionDidEnd: async () => restore(state),
          });
        },
        async willSendResponse(rc) {
          restore(state);
          if (state.ended) return;
          state.ended = true;
          const errors = responseErrors(rc);
          const codes = [...new Set(errors.map((e) => e.extensions?.['code']).filter((c): c is string => typeof c === 'string'))].sort();
          span.setAttribute(A.errors, errors.length);
          if (codes.length > 0) span.setAttribute(A.errorCodes, codes);
          if (rc.response.http.status !== undefined) span.setAttribute(A.httpStatus, rc.response.http.status);
          // Codes and paths only: messages can quote user input (a searched e-mail address, say).
          for (const e of errors.slice(0, MAX_ERROR_EVENTS)) {
            span.addEvent('graphql.error', {
              ...(typeof e.extensions?.['code'] === 'string' ? { 'unics.error.code': e.extensions['code'] } : {}),
              ...(e.path ? { 'graphql.error.path': e.path.join('.') } : {}),
            });
          }
          if (errors.length > 0) {
            const what = `${errors.length} ${errors.length === 1 ? 'error' : 'errors'}`;
            span.setStatus({ code: SpanStatusCode.ERROR, message: codes.length > 0 ? `${what}: ${codes.join(', ')}` : what });
          }
          span.end();
        },
      };
      return listener;
    },
    async unexpectedErrorProcessingRequest({ requestContext, error }) {
      const state = states.get(requestContext);
      if (state === undefined || state.ended) return;
      restore(state);
      state.ended = true;
      // Name and message only (URL passwords removed): a stack says nothing a trace reader can act on.
      state.span.recordException({ name: error.name, message: redactUrlCredentials(error.message) });
      state.span.setStatus({ code: SpanStatusCode.ERROR, message: 'unexpected error processing the request' });
      state.span.end();
    },
  };
}
