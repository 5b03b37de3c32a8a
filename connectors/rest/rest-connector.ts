// The rest adapter's I/O shell: sends what rest-mapping.ts plans over the shared HTTP layer (keep-alive pool, the
// caller's AbortSignal on the socket, size limit, upstream auth with one refresh on 401) and maps what comes back.
import type { UnicsError } from '../../common/errors.ts';
import type { BatchResult, CommandInfo, Connector, ConnectorDeps, EntityInfo, KeyResult } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { splitIntoChunks, throwIfEveryKeyFailed } from '../load-in-chunks.ts';
import { createUpstreamAuth } from '../http/create-upstream-auth.ts';
import { abortError, createHttpClient, expectSuccess, resolveUrl, statusError, type HttpResponse } from '../http/http-client.ts';
import { isIdempotent, type RestConfig, type RestEntityConfig } from './rest-config.ts';
import {
  buildBatchRequest,
  buildCommandRequest,
  buildSingleRequest,
  mapBatchResponse,
  mapCommandResponse,
  mapSingleResponse,
  parseJson,
  screenKeys,
  singleFailure,
  type PlannedRequest,
  type Subject,
} from './rest-mapping.ts';

const HEALTH_MAX_BYTES = 64 * 1024;

export function createRestConnector(config: RestConfig, deps: ConnectorDeps): Connector {
  const name = config.name;
  const auth = createUpstreamAuth(config.auth, { connector: name, clock: deps.clock });
  const http = createHttpClient({ connector: name, baseUrl: config.endpoint, maxResponseBytes: config.maxResponseSize, connections: config.connections, headers: config.headers, auth });
  // check() goes without credentials: a reachability probe must not spend or invalidate tokens.
  const probe = createHttpClient({ connector: name, baseUrl: config.endpoint, maxResponseBytes: HEALTH_MAX_BYTES, connections: 1, headers: config.headers });

  const entities = new Map<string, EntityInfo>(
    Object.entries(config.entities).map(([entity, e]) => [entity, Object.freeze({ name: entity, many: e.many, maxBatchSize: e.maxBatchSize })]),
  );
  const commands = new Map<string, CommandInfo>(
    Object.entries(config.commands).map(([command, c]) => [command, Object.freeze({ name: command, idempotent: isIdempotent(c) })]),
  );

  async function send(req: PlannedRequest, signal: AbortSignal): Promise<{ res: HttpResponse; url: string }> {
    const url = resolveUrl(config.endpoint, req.path, req.query);
    const res = await http.send({ ...req, signal });
    return { res, url: `${req.method} ${url.origin}${url.pathname}` };
  }

  async function loadBatch(subject: Subject, entity: RestEntityConfig, keys: readonly string[], signal: AbortSignal): Promise<Map<string, KeyResult>> {
    const batch = entity.batch!;
    const { send: sendable, answered } = screenKeys(subject, batch, keys);
    if (sendable.length === 0) return answered;
    // One failed chunk fails the load; cancel the chunks still running.
    const local = new AbortController();
    const both = AbortSignal.any([signal, local.signal]);
    try {
      const parts = await Promise.all(
        splitIntoChunks(sendable, entity.maxBatchSize).map(async (part) => {
          const { res, url } = await send(buildBatchRequest(batch, part), both);
          if (res.status === 404) {
            // A batch endpoint answers the keys it knows; a 404 means the path is wrong, not that the keys are unknown.
            throw connErr.CONN_ERR_REJECTED(`connector "${name}": ${subject.what}: ${url} answered HTTP 404 to a batch request; check batch.path`, { details: { status: 404 } });
          }
          expectSuccess(name, res, url);
          return mapBatchResponse(subject, batch, entity.many, part, parseJson(subject, res.text(), url));
        }),
      );
      for (const part of parts) for (const [k, v] of part) answered.set(k, v);
    } catch (err) {
      local.abort(err);
      if (signal.aborted) throw abortError(name, signal);
      throw err;
    }
    return new Map(keys.map((k) => [k, answered.get(k)!]));
  }

  async function loadSingle(subject: Subject, entity: RestEntityConfig, keys: readonly string[], signal: AbortSignal): Promise<Map<string, KeyResult>> {
    const single = entity.single!;
    const results = await Promise.all(
      keys.map(async (key): Promise<KeyResult> => {
        if (key === '') return entity.many ? { status: 'ok', value: [] } : { status: 'not_found' };
        try {
          const { res, url } = await send(buildSingleRequest(subject, single, key), signal);
          if (res.status === 404) return singleFailure(statusError(name, res, url), entity.many);
          expectSuccess(name, res, url);
          return mapSingleResponse(subject, single, entity.many, parseJson(subject, res.text(), url));
        } catch (err) {
          if (signal.aborted) throw abortError(name, signal);
          return singleFailure(err as UnicsError, entity.many);
        }
      }),
    );
    // When every key failed the same call failed: reject, so the caller (and its retry policy) sees one failure.
    throwIfEveryKeyFailed(results);
    return new Map(keys.map((k, i) => [k, results[i]!]));
  }

  return {
    name,
    kind: 'rest',
    entities,
    commands,
    async load(entityName, keys, ctx): Promise<BatchResult> {
      const entity = Object.hasOwn(config.entities, entityName) ? config.entities[entityName] : undefined;
      if (!entity) {
        throw connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${name}" has no entity "${entityName}"; it has: ${[...entities.keys()].join(', ') || 'none'}`);
      }
      if (ctx.signal.aborted) throw abortError(name, ctx.signal);
      if (keys.length === 0) return new Map();
      const subject = { connector: name, what: `entity "${entityName}"` };
      // One key and a per-key endpoint: the simpler request. Otherwise batch whenever the upstream can.
      const useBatch = entity.batch !== undefined && !(entity.single !== undefined && keys.length === 1);
      return useBatch ? loadBatch(subject, entity, keys, ctx.signal) : loadSingle(subject, entity, keys, ctx.signal);
    },
    async call(commandName, input, ctx) {
      const command = Object.hasOwn(config.commands, commandName) ? config.commands[commandName] : undefined;
      if (!command) {
        throw connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${name}" has no command "${commandName}"; it has: ${[...commands.keys()].join(', ') || 'none'}`);
      }
      const subject = { connector: name, what: `command "${commandName}"` };
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        throw connErr.CONN_ERR_REJECTED(`connector "${name}": command "${commandName}" needs an object of input fields, but got ${Array.isArray(input) ? 'an array' : String(input)}`);
      }
      const { res, url } = await send(buildCommandRequest(subject, command, input), ctx.signal);
      expectSuccess(name, res, url);
      return mapCommandResponse(subject, command, parseJson(subject, res.text(), url));
    },
    async check(signal) {
      const res = await probe.send({ method: 'GET', path: config.health.path, signal });
      if (res.status >= 500) {
        const url = resolveUrl(config.endpoint, config.health.path);
        throw statusError(name, res, `GET ${url.origin}${url.pathname}`);
      }
    },
    async close() {
      await Promise.allSettled([http.close(), probe.close(), auth.close()]);
    },
  };
}
