// The graphql adapter's I/O shell: POSTs the configured documents to the upstream through the shared HTTP layer
// (the caller's signal reaches the socket, the size limit applies while reading) and hands the answers to the pure
// mapping. Batches larger than an entity's maxBatchSize are split into concurrent requests.
import type { UnicsError } from '../../common/errors.ts';
import type { CommandInfo, Connector, ConnectorDeps, EntityInfo } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { loadInChunks } from '../load-in-chunks.ts';
import { createHttpClient } from '../http/http-client.ts';
import { createUpstreamAuth } from '../http/create-upstream-auth.ts';
import type { UpstreamAuth } from '../http/upstream-auth.ts';
import type { GraphqlConfig } from './graphql-config.ts';
import { checkTypenameAnswer, mapCommandAnswer, mapEntityAnswer } from './graphql-mapping.ts';
import { declaredVariables, requestBody } from './graphql-operations.ts';
import { formatUpstreamError, readGraphqlAnswer, type GraphqlAnswer, type UpstreamGraphqlError } from './graphql-response.ts';

export const GRAPHQL_CHECK_QUERY = '{ __typename }';

/** `opts.auth` replaces the credentials built from `config.auth` (code-first connectors, tests); the caller owns it. */
export function createGraphqlConnector(config: GraphqlConfig, deps: ConnectorDeps, opts: { auth?: UpstreamAuth } = {}): Connector {
  const name = config.name;
  const url = config.endpoint;
  const ownAuth = opts.auth ? undefined : createUpstreamAuth(config.auth, { connector: name, clock: deps.clock });
  const http = createHttpClient({
    connector: name,
    baseUrl: url,
    maxResponseBytes: config.maxResponseBytes,
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json;q=0.9', ...config.headers },
    auth: opts.auth ?? ownAuth,
  });
  const entities = new Map<string, EntityInfo>(
    Object.values(config.entities).map((e) => [e.name, Object.freeze({ name: e.name, many: e.many, maxBatchSize: e.maxBatchSize })]),
  );
  const commands = new Map<string, CommandInfo>(Object.values(config.commands).map((c) => [c.name, Object.freeze({ name: c.name, idempotent: c.idempotent })]));

  async function post(body: string, signal: AbortSignal, what: string): Promise<GraphqlAnswer> {
    const res = await http.send({ method: 'POST', path: url, body, signal });
    return readGraphqlAnswer(name, res, url, what);
  }

  function logIgnored(what: string, errors: readonly UpstreamGraphqlError[]): void {
    if (errors.length === 0) return;
    deps.log.warn({ connector: name, what, errors: errors.slice(0, 5).map(formatUpstreamError), count: errors.length }, 'upstream GraphQL errors outside the mapped result');
  }

  function unknown(kindOf: 'entity' | 'command', asked: string, known: Iterable<string>): UnicsError {
    const list = [...known].sort();
    return connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${name}" has no ${kindOf} "${asked}"; it has: ${list.length > 0 ? list.join(', ') : `no ${kindOf === 'entity' ? 'entities' : 'commands'}`}`);
  }

  return {
    name,
    kind: 'graphql',
    entities,
    commands,

    async load(entityName, keys, ctx) {
      const entity = config.entities[entityName];
      if (!entity || !Object.hasOwn(config.entities, entityName)) throw unknown('entity', entityName, entities.keys());
      if (keys.length === 0) return new Map();
      const what = `entity "${entity.name}"`;
      const loadChunk = async (chunk: readonly string[]) => {
        const answer = await post(requestBody(entity.operation, { ...entity.variables, [entity.keysVariable]: chunk }), ctx.signal, what);
        const mapped = mapEntityAnswer(name, entity, chunk, answer);
        logIgnored(what, mapped.ignoredErrors);
        return mapped.results;
      };
      return loadInChunks(keys, entity.maxBatchSize, loadChunk);
    },

    async call(commandName, input, ctx) {
      const command = config.commands[commandName];
      if (!command || !Object.hasOwn(config.commands, commandName)) throw unknown('command', commandName, commands.keys());
      const what = `command "${command.name}"`;
      const variables = declaredVariables(command.operation, { ...command.variables, ...input });
      const answer = await post(requestBody(command.operation, variables), ctx.signal, what);
      const mapped = mapCommandAnswer(name, command, answer);
      logIgnored(what, mapped.ignoredErrors);
      return mapped.value;
    },

    async check(signal) {
      const answer = await post(JSON.stringify({ query: GRAPHQL_CHECK_QUERY }), signal, 'readiness check');
      checkTypenameAnswer(name, answer);
    },

    async close() {
      await http.close();
      await ownAuth?.close();
    },
  };
}
