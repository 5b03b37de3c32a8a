// The xml adapter's I/O shell: one HTTP call per batch of keys (GET with the keys in a query parameter, or POST with
// an XML body), the answer read under the size limit, parsed by parseXmlSafely and mapped by the pure core.
// The caller's AbortSignal goes to the socket and to the parser; resilience is added around this by withResilience.
import { isUnicsError } from '../../common/errors.ts';
import type { BatchResult, CallContext, Connector, ConnectorDeps, EntityInfo, KeyResult } from '../connector.ts';
import { failed, notFound, ok } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import { loadInChunks } from '../load-in-chunks.ts';
import { createUpstreamAuth } from '../http/create-upstream-auth.ts';
import { abortError, createHttpClient, expectSuccess, resolveUrl, statusError, type HttpRequest } from '../http/http-client.ts';
import { parseXmlSafely } from './safe-xml.ts';
import type { XmlConfig, XmlEntityConfig } from './xml-config.ts';
import { mapResponse } from './xml-records.ts';
import { renderRequest, unsendableKey } from './xml-request.ts';

const ACCEPT = 'application/xml, text/xml;q=0.9';
// Content types an XML upstream plausibly sends; anything else (text/html from a proxy, JSON) is not our answer.
const XML_LIKE = /xml|^text\/plain|^application\/octet-stream/i;

export function createXmlConnector(config: XmlConfig, deps: ConnectorDeps): Connector {
  const name = config.name;
  const auth = createUpstreamAuth(config.auth, { connector: name, clock: deps.clock });
  const http = createHttpClient({
    connector: name,
    baseUrl: config.endpoint,
    maxResponseBytes: config.maxResponseSize,
    headers: config.headers,
    auth,
  });
  const entities = new Map<string, EntityInfo>(
    Object.entries(config.entities).map(([entity, e]) => [entity, Object.freeze({ name: entity, many: e.many, maxBatchSize: e.maxBatchSize })]),
  );

  function entityConfig(entity: string): XmlEntityConfig {
    if (!Object.hasOwn(config.entities, entity)) {
      throw connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${name}" has no entity "${entity}"; it has ${[...entities.keys()].join(', ')}`);
    }
    return config.entities[entity]!;
  }

  async function fetchBatch(entity: string, e: XmlEntityConfig, keys: readonly string[], signal: AbortSignal): Promise<Map<string, KeyResult>> {
    const req: HttpRequest = e.method === 'GET'
      ? { method: 'GET', path: e.path, query: { ...e.query, [e.keysParam!]: keys.join(e.keysSeparator) }, headers: { accept: ACCEPT }, signal }
      : { method: 'POST', path: e.path, query: e.query, headers: { accept: ACCEPT, 'content-type': e.contentType }, body: renderRequest(e.body!, keys), signal };
    const url = resolveUrl(config.endpoint, e.path);
    const where = `${url.origin}${url.pathname}`;
    const res = expectSuccess(name, await http.send(req), where);
    const type = res.headers['content-type'];
    const contentType = Array.isArray(type) ? type[0] : type;
    if (contentType !== undefined && contentType !== '' && !XML_LIKE.test(contentType)) {
      throw connErr.CONN_ERR_MALFORMED_RESPONSE(`connector "${name}": expected an XML answer from ${where}, but it sent content-type ${contentType}`);
    }
    try {
      const doc = await parseXmlSafely(res.body, { maxBytes: config.maxResponseSize, maxDepth: config.maxDepth, maxNodes: config.maxNodes }, { connector: name, signal });
      return mapResponse(doc, keys, e, { connector: name, entity });
    } catch (err) {
      if (signal.aborted && !isUnicsError(err)) throw abortError(name, signal);
      throw err;
    }
  }

  return {
    name,
    kind: 'xml',
    entities,
    commands: new Map(),

    async load(entity: string, keys: readonly string[], ctx: CallContext): Promise<BatchResult> {
      const e = entityConfig(entity);
      if (ctx.signal.aborted) throw abortError(name, ctx.signal);
      const early = new Map<string, KeyResult>();
      const sendable: string[] = [];
      const separator = e.method === 'GET' ? e.keysSeparator : undefined;
      for (const key of keys) {
        const why = unsendableKey(key, separator);
        if (why === undefined) sendable.push(key);
        // A key XML cannot carry cannot exist upstream either; a key holding the separator might, but cannot be asked for.
        else if (separator !== undefined && key.includes(separator)) {
          early.set(key, failed(connErr.CONN_ERR_REJECTED(`connector "${name}": entity "${entity}": cannot ask for key ${JSON.stringify(key)}: ${why}`)));
        } else early.set(key, e.many ? ok([]) : notFound);
      }
      const loaded = await loadInChunks(sendable, e.maxBatchSize, (batch) => fetchBatch(entity, e, batch, ctx.signal), { abort: { connector: name, signal: ctx.signal } });
      const answers = new Map<string, KeyResult>([...early, ...loaded]);
      // Every requested key exactly once, in the order asked.
      return new Map(keys.map((k) => [k, answers.get(k) ?? (e.many ? ok([]) : notFound)]));
    },

    async call(command: string): Promise<unknown> {
      throw connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${name}" has no command "${command}"; the xml kind declares entities only (${[...entities.keys()].join(', ')})`);
    },

    async check(signal: AbortSignal): Promise<void> {
      const res = await http.send({ method: 'GET', path: config.checkPath, headers: { accept: ACCEPT }, signal });
      const url = resolveUrl(config.endpoint, config.checkPath);
      if (res.status >= 500 || res.status === 401 || res.status === 403) throw statusError(name, res, `${url.origin}${url.pathname}`);
    },

    async close(): Promise<void> {
      await Promise.allSettled([http.close(), auth.close()]);
    },
  };
}
