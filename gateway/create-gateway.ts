// createGateway(): the HTTP surface around the unified schema, built but not listening (STYLE.md 7).
// Fastify 5 carries the routes and the limits on the raw request (body size, variables size); Apollo Server 5 runs
// GraphQL over HTTP at POST/GET /graphql with the query limits as validation rules and plugins, and executes through
// graphql-jit (jit-gateway.ts, docs/adr/0006); graphql-ws serves subscriptions on the same path. Every /graphql
// request is authenticated before its body is read.
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../common/clock.ts';
import { isUnicsError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import { buildExecutableSchema } from '../schema/executable-schema.ts';
import type { Principal, SchemaModule } from '../schema/schema-module.ts';
import { createCostLimitPlugin, createExplainPlugin, createMetricsPlugin, createSchemaCapturePlugin, EXPLAIN_HEADER } from './apollo-plugins.ts';
import type { TokenVerifier } from './auth/token-verifier.ts';
import { gwErr } from './error-catalogue.ts';
import { createGraphQLErrorFormatter } from './format-graphql-error.ts';
import { attachGraphQLWs, type UpgradeHandler } from './graphql-ws-server.ts';
import { createJitGateway } from './jit-gateway.ts';
import { registerHealthRoutes, type ReadinessReport } from './health-routes.ts';
import { GRAPHQL_PATH, sendError, toGatewayError } from './send-http-error.ts';
import { createBoundedApqCache } from './limits/bounded-apq-cache.ts';
import { resolveLimits, type GatewayLimits } from './limits/gateway-limits.ts';
import { checkVariablesSize, createLimitRules } from './limits/limit-rules.ts';
import { redactUrl, requestIdOf, serializeRequest } from './request-log.ts';

export interface GatewayOptions {
  readonly schema: SchemaModule;
  readonly auth: TokenVerifier;
  readonly limits?: Partial<GatewayLimits>;
  readonly log: Logger;
  /** Where unics_graphql_* metrics are registered and what /metrics serves (connector metrics live there too). */
  readonly metrics: Registry;
  readonly readiness: () => Promise<ReadinessReport>;
  /** Extra Apollo Server plugins (tracing). */
  readonly plugins?: readonly ApolloServerPlugin<BaseContext>[];
  /** Honour the `x-unics-explain: 1` header. Default true. */
  readonly explain?: boolean;
  /** Schema introspection. Default true (the agent console and GraphQL tools need it). */
  readonly introspection?: boolean;
  readonly clock?: Clock;
  /** How validated operations are executed: compiled by graphql-jit (default) or graphql-js's execute(). */
  readonly executor?: 'jit' | 'graphql-js';
  /** More HTTP routes (the chat's POST /chat/visitor-token), registered before the server is ready. */
  readonly routes?: ReadonlyArray<GatewayRoutes>;
}

/** A module's own HTTP routes on the gateway: `names` ("POST /chat/visitor-token") go into the 404 message. */
export interface GatewayRoutes {
  readonly names: readonly string[];
  register(fastify: FastifyInstance): void;
}

export interface Gateway {
  /** Built and ready, not listening: call fastify.listen() (or fastify.inject() in tests). */
  readonly fastify: FastifyInstance;
  readonly limits: GatewayLimits;
  /** Routes WebSocket upgrades on another path (the chat's /chat) to their own handler. */
  addUpgradeHandler(path: string, handler: UpgradeHandler): void;
  /** Stops accepting, closes WebSockets with 1001, finishes in-flight requests and stops Apollo Server. */
  close(): Promise<void>;
}

// Abort reasons made once: a new Error per request captured a stack trace on every response (~1 % of the CPU).
const FINISHED = new DOMException('request finished', 'AbortError');
const CLIENT_GONE = new DOMException('client went away', 'AbortError');

const ROUTES = ['POST /graphql', 'GET /graphql', 'ws /graphql', 'GET /healthz', 'GET /readyz', 'GET /metrics'];
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const limits = resolveLimits(options.limits);
  const clock = options.clock ?? systemClock;
  const log = options.log.child({ module: 'gateway' }, { serializers: { req: serializeRequest } });
  // The request being served, so errors logged from inside Apollo Server carry its request id.
  const current = new AsyncLocalStorage<FastifyRequest>();
  const formatError = createGraphQLErrorFormatter(() => (current.getStore()?.log as Logger | undefined) ?? log);
  const principals = new WeakMap<FastifyRequest, Principal>();
  const routeNames = [...ROUTES, ...(options.routes ?? []).flatMap((r) => r.names)];

  const fastify = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One line per request, written by the onResponse hook below (with the tenant, and a redacted URL).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyLimitBytes,
    genReqId: requestIdOf,
    requestTimeout: limits.requestTimeoutMs + 5000,
    return503OnClosing: true,
  });

  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const fields = { method: request.method, url: redactUrl(request.url), statusCode: reply.statusCode, durationMs: Math.round(reply.elapsedTime), tenant: principals.get(request)?.tenant };
    if (QUIET_ROUTES.has(path)) request.log.debug(fields, 'request completed');
    else request.log.info(fields, 'request completed');
  });
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = toGatewayError(error, request, limits.bodyLimitBytes);
    if (mapped.unexpected) request.log.error({ err: error }, 'request failed unexpectedly; the client sees "Unexpected error"');
    else request.log.debug({ code: mapped.error.code, message: mapped.error.message }, 'request refused');
    return sendError(request, reply, mapped.error);
  });
  fastify.setNotFoundHandler((request, reply) => {
    const what = `${request.method} ${redactUrl(request.url).split('?')[0]}`;
    return sendError(request, reply, gwErr.GATEWAY_ERR_ROUTE_NOT_FOUND(`no endpoint at ${what}; the gateway serves ${routeNames.join(', ')}`));
  });

  let schema: GraphQLSchema | undefined;
  const executable = buildExecutableSchema(options.schema.typeDefs, options.schema.resolvers);
  const apollo = new ApolloServer<BaseContext>({
    ...(options.executor === 'graphql-js' ? { schema: executable } : { gateway: createJitGateway(executable) }),
    introspection: options.introspection ?? true,
    includeStacktraceInErrorResponses: false,
    // The token travels in the Authorization header, which a cross-site form or <img> cannot send without a CORS
    // preflight we never allow; Apollo's CSRF check (which would refuse plain GET requests) adds nothing here.
    csrfPrevention: false,
    // Our signal handlers shut down in order (app/main.ts); Apollo's own would stop the server out of turn.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: createLimitRules(limits),
    persistedQueries: { cache: createBoundedApqCache({ maxEntries: limits.apqMaxEntries, maxBytes: limits.apqMaxBytes }) },
    formatError,
    // Compact JSON: Apollo's default pretty-prints every response (2-space indent), which cost ~4 % of the CPU.
    stringifyResult: (result) => JSON.stringify(result),
    logger: log.child({ module: 'apollo' }),
    plugins: [
      fastifyApolloDrainPlugin(fastify),
      ApolloServerPluginLandingPageDisabled(),
      // We set no cache hints (responses are per principal, never cached by HTTP caches); the implicit cache-control
      // plugin would wrap every resolver (willResolveField) for nothing. Usage reporting and inline traces are Apollo
      // Studio's; installing their disabled forms keeps them off whatever APOLLO_KEY the environment carries.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      createSchemaCapturePlugin((s) => (schema = s)),
      createCostLimitPlugin(limits),
      createMetricsPlugin(options.metrics),
      ...(options.explain === false ? [] : [createExplainPlugin(options.schema)]),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();
  if (schema === undefined) throw new Error('gateway: Apollo Server started without reporting its schema');

  const authenticate = async (request: FastifyRequest) => {
    try {
      principals.set(request, await options.auth.authenticate(request.headers.authorization));
    } catch (err) {
      if (!isUnicsError(err)) throw err;
      request.log.info({ code: err.code, reason: err.message }, 'request refused: authentication');
      throw err;
    }
  };

  const apolloHandler = fastifyApolloHandler(apollo, {
    context: async (request, reply) => {
      const principal = principals.get(request);
      if (principal === undefined) throw gwErr.GATEWAY_ERR_UNAUTHENTICATED('missing bearer token');
      const controller = new AbortController();
      // One controller and a timer cleared when the response is done. AbortSignal.timeout() cannot be cancelled: its
      // timer kept every request (message, context, loaders, upstream listeners on the signal) reachable for the
      // whole requestTimeoutMs, ~30,000 requests at 1,000 req/s, which was most of the gateway's heap under load.
      const timer = clock.setTimeout(() => controller.abort(new DOMException(`the request took longer than ${limits.requestTimeoutMs} ms`, 'TimeoutError')), limits.requestTimeoutMs);
      // 'close' comes when the response is done or the client went away: either way, stop upstream work.
      reply.raw.once('close', () => {
        clock.clearTimeout(timer);
        controller.abort(reply.raw.writableFinished ? FINISHED : CLIENT_GONE);
      });
      const { signal } = controller;
      const explain = options.explain !== false && request.headers[EXPLAIN_HEADER] === '1';
      return options.schema.createContext(principal, { signal, explain }) as BaseContext;
    },
  });

  fastify.route({
    method: ['GET', 'POST'],
    url: GRAPHQL_PATH,
    // onRequest runs before the body is read: an unauthenticated client cannot make us parse a large body.
    onRequest: async (request) => authenticate(request),
    preHandler: async (request) => {
      const variables = request.method === 'GET' ? (request.query as Record<string, unknown> | undefined)?.variables : (request.body as Record<string, unknown> | undefined)?.variables;
      const tooLarge = checkVariablesSize(variables, limits);
      if (tooLarge) throw gwErr.GATEWAY_ERR_VARIABLES_TOO_LARGE(tooLarge.message);
    },
    handler: (request, reply) => current.run(request, () => apolloHandler.call(fastify, request, reply)),
  });
  registerHealthRoutes(fastify, { readiness: options.readiness, metrics: options.metrics, clock });
  for (const routes of options.routes ?? []) routes.register(fastify);
  await fastify.ready();

  const ws = attachGraphQLWs({ server: fastify.server, path: GRAPHQL_PATH, schema, schemaModule: options.schema, auth: options.auth, limits, log, formatError });

  let closing: Promise<void> | undefined;
  return {
    fastify,
    limits,
    addUpgradeHandler: (path, upgrade) => ws.addUpgradeHandler(path, upgrade),
    close() {
      closing ??= (async () => {
        await ws.close();
        await apollo.stop(); // the drain plugin closes Fastify: stop accepting, finish in-flight requests
      })();
      return closing;
    },
  };
}
