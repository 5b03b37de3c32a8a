// GraphQL over WebSocket (graphql-ws protocol) on the HTTP server's `upgrade` event. Upgrades are routed by path:
// /graphql here, others (the chat's /chat) can be added; any other path is refused and the socket destroyed.
// Browsers cannot set headers on a WebSocket, so the token comes in connection_init's payload as
// `authorization: "Bearer …"` and is verified like an HTTP request's; a refusal closes with 4401 (4403 for an unknown
// tenant). Every operation gets its own schema context and AbortSignal, aborted when it completes or the socket closes.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from './graphql-runtime.ts';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { isUnicsError } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';
import type { Principal, SchemaModule } from '../schema/schema-module.ts';
import type { TokenVerifier } from './auth/token-verifier.ts';
import { gwErr } from './error-catalogue.ts';
import type { GraphQLErrorFormatter } from './format-graphql-error.ts';
import type { GatewayLimits } from './limits/gateway-limits.ts';
import { checkCost, checkVariablesSize, createLimitRules } from './limits/limit-rules.ts';
import { selectOperation } from './limits/measure-operation.ts';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface GraphQLWsOptions {
  readonly server: Server;
  readonly path: string;
  readonly schema: GraphQLSchema;
  readonly schemaModule: SchemaModule;
  readonly auth: TokenVerifier;
  readonly limits: GatewayLimits;
  readonly log: Logger;
  readonly formatError: GraphQLErrorFormatter;
  /** Interval of ws pings that detect dead peers, in ms. Default 12 000. */
  readonly keepAliveMs?: number;
}

export interface GraphQLWsServer {
  /** Routes upgrades on another path (e.g. /chat) to its own handler. */
  addUpgradeHandler(path: string, handler: UpgradeHandler): void;
  /** Refuses new upgrades, closes every socket with 1001 and waits for them to go. */
  close(): Promise<void>;
}

// Close reasons are limited to 123 bytes by RFC 6455.
const reasonOf = (message: string) => (Buffer.byteLength(message) <= 123 ? message : `${Buffer.from(message).subarray(0, 120).toString('utf8')}...`);

function refuseUpgrade(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export function attachGraphQLWs(options: GraphQLWsOptions): GraphQLWsServer {
  const { schema, schemaModule, auth, limits, log, formatError } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.wsMaxPayloadBytes });
  const principals = new WeakMap<WebSocket, Principal>();
  const operations = new WeakMap<WebSocket, Map<string, AbortController>>();
  const rules = [...specifiedRules, ...createLimitRules(limits)];
  let closing = false;

  const handlers = new Map<string, UpgradeHandler>();
  handlers.set(options.path, (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing) return refuseUpgrade(socket, '503 Service Unavailable');
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const handler = handlers.get(pathname);
    if (handler === undefined) return refuseUpgrade(socket, '404 Not Found');
    handler(req, socket, head);
  };
  options.server.on('upgrade', onUpgrade);

  const abortAll = (socket: WebSocket, reason: string) => {
    for (const controller of operations.get(socket)?.values() ?? []) controller.abort(new Error(reason));
    operations.delete(socket);
  };
  const format = (errors: readonly GraphQLError[]) => errors.map((e) => formatError(e.toJSON(), e));

  const disposable = useServer(
    {
      schema,
      connectionInitWaitTimeout: 5000,
      async onConnect(ctx) {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        try {
          principals.set(ctx.extra.socket, await auth.authenticate(typeof raw === 'string' ? raw : undefined));
          return true;
        } catch (err) {
          const known = isUnicsError(err) ? err : undefined;
          if (!known) log.error({ err }, 'graphql-ws: token verification failed unexpectedly');
          ctx.extra.socket.close(known?.wsClose ?? 1011, reasonOf(known?.message ?? 'Unexpected error'));
          return false; // graphql-ws would close with 4403; the socket is already closing with our code
        }
      },
      onSubscribe(ctx, id, payload) {
        const principal = principals.get(ctx.extra.socket);
        if (principal === undefined) return [new GraphQLError('not authenticated', { extensions: { code: gwErr.GATEWAY_ERR_UNAUTHENTICATED.code } })];
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens });
        } catch (err) {
          return [new GraphQLError(err instanceof Error ? err.message : String(err), { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0) return invalid;
        const operation = selectOperation(document, payload.operationName);
        if (operation === undefined) {
          return [new GraphQLError(payload.operationName ? `unknown operation named "${payload.operationName}"` : 'the document has several operations; name one with operationName', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
        }
        const limitError = checkVariablesSize(payload.variables, limits) ?? checkCost(schema, document, operation, payload.variables ?? undefined, limits);
        if (limitError) return [limitError];
        const controller = new AbortController();
        let mine = operations.get(ctx.extra.socket);
        if (mine === undefined) operations.set(ctx.extra.socket, (mine = new Map()));
        mine.get(id)?.abort(new Error('operation replaced'));
        mine.set(id, controller);
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: schemaModule.createContext(principal, { signal: controller.signal, explain: false }),
        };
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return;
        return { ...result, errors: format(result.errors) };
      },
      onError(_ctx, _id, _payload, errors) {
        return format(errors);
      },
      onComplete(ctx, id) {
        const mine = operations.get(ctx.extra.socket);
        mine?.get(id)?.abort(new Error('operation completed'));
        mine?.delete(id);
      },
      onClose(ctx) {
        abortAll(ctx.extra.socket, 'socket closed');
      },
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  return {
    addUpgradeHandler(path, handler) {
      if (handlers.has(path)) throw new TypeError(`gateway: an upgrade handler for ${path} is already registered`);
      handlers.set(path, handler);
    },
    async close() {
      closing = true;
      options.server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) abortAll(socket, 'server shutting down');
      await disposable.dispose(); // closes every client with 1001 "Going away"
    },
  };
}
