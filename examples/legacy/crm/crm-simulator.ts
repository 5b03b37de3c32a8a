// The CRM legacy simulator: REST/JSON under /api/v1, protected by OAuth2 client credentials (POST /oauth/token).
// It behaves like the CRMs UniCS meets in the field: the batch endpoint answers in its own order and silently
// leaves out unknown ids (connectors must align by key), change capture pages by (updatedAt, id) with an opaque
// cursor, tokens expire or get revoked early, and the kit's knobs make it slow, failing, hanging or broken.
import type { ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../../common/clock.ts';
import type { DemoData } from '../demo-data.ts';
import { createSimulator, sendJson, streamOversized, truncate, type Simulator, type SimulatorKnobs, type SimulatorRequest } from '../simulator-kit.ts';
import { createCrmContactStore, CrmInputError, type CrmContact } from './crm-contact-store.ts';
import { createCrmTokenIssuer } from './crm-oauth.ts';

export interface CrmSimulatorOptions {
  readonly data: DemoData;
  /** Lifetime of an access token (ms). Default one hour. */
  readonly tokenTtlMs?: number;
  /** Known OAuth2 clients: client id -> secret. Default { 'unics-demo': 'demo-secret' }. */
  readonly clients?: Readonly<Record<string, string>>;
  /** Drives token expiry and updatedAt stamps. Default the system clock. */
  readonly clock?: Clock;
  readonly knobs?: Partial<SimulatorKnobs>;
}

export type CrmSimulator = Simulator & {
  /** Revokes every issued token now: the next API call with any of them gets 401 invalid_token. */
  revokeTokens(): void;
  /** Tokens issued and still valid. */
  activeTokens(): number;
  /** The current state of one contact (after patches), for tests. */
  contact(id: string): Readonly<CrmContact> | undefined;
};

export const CRM_API_PREFIX = '/api/v1';
/** Most ids one batch request may carry. */
export const CRM_MAX_BATCH_IDS = 500;
const DEFAULT_CHANGES_LIMIT = 100;
const MAX_CHANGES_LIMIT = 1000;
/** The body size the `oversized` knob sends. */
export const CRM_OVERSIZED_BYTES = 20 * 1024 * 1024;

/**
 * Creates the CRM simulator. Knobs: `malformed` answers API calls with truncated JSON (HTTP 200), `oversized` with a
 * ~20 MB JSON body streamed in chunks, `hostile` makes every token invalid (401 invalid_token on every API call);
 * latency, errorRate and hang are applied by the kit to every route, the token endpoint included.
 */
export function createCrmSimulator(options: CrmSimulatorOptions): CrmSimulator {
  const clock = options.clock ?? systemClock;
  const contacts = createCrmContactStore(options.data.contacts, clock);
  const issuer = createCrmTokenIssuer({
    clients: options.clients ?? { 'unics-demo': 'demo-secret' },
    tokenTtlMs: options.tokenTtlMs ?? 3_600_000,
    clock,
  });

  async function handle(sr: SimulatorRequest, res: ServerResponse): Promise<void> {
    const method = sr.req.method ?? 'GET';
    const path = sr.url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/oauth/token') {
      sr.count('POST /oauth/token');
      if (method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed', message: 'use POST' });
      const form = new URLSearchParams(sr.body.toString('utf8'));
      const answer = issuer.token(sr.req.headers.authorization, form);
      if ('error' in answer) {
        if (answer.status === 401) res.setHeader('www-authenticate', answer.basic ? 'Basic realm="crm"' : 'Bearer realm="crm"');
        res.setHeader('cache-control', 'no-store');
        return sendJson(res, answer.status, { error: answer.error, error_description: answer.error_description });
      }
      res.setHeader('cache-control', 'no-store');
      return sendJson(res, 200, answer);
    }
    if (path === CRM_API_PREFIX) {
      sr.count('GET /api/v1');
      return sendJson(res, 200, { name: 'crm-simulator', version: 'v1' });
    }
    if (!path.startsWith(`${CRM_API_PREFIX}/`)) {
      sr.count('(unknown)');
      return sendJson(res, 404, { error: 'not_found', message: `no route ${method} ${path}` });
    }
    return api(sr, res, method, path.slice(CRM_API_PREFIX.length));
  }

  async function api(sr: SimulatorRequest, res: ServerResponse, method: string, path: string): Promise<void> {
    const one = /^\/contacts\/([^/]+)$/.exec(path);
    const q = sr.url.searchParams;
    let route: string;
    if (one && (method === 'GET' || method === 'PATCH')) route = `${method} /contacts/:id`;
    else if (path === '/contacts' && method === 'GET') {
      route = q.has('ids') ? 'GET /contacts:batch' : q.has('updated_since') || q.has('cursor') ? 'GET /contacts:changes' : 'GET /contacts:search';
    } else {
      sr.count('(unknown)');
      return sendJson(res, one || path === '/contacts' ? 405 : 404, { error: 'not_found', message: `no route ${method} ${path}` });
    }
    sr.count(route);

    const authorization = sr.req.headers.authorization ?? '';
    const bearer = /^bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (bearer === undefined) {
      res.setHeader('www-authenticate', 'Bearer realm="crm"');
      return sendJson(res, 401, { error: 'unauthorized', message: 'a bearer token is required' });
    }
    if (sr.knobs.hostile || !issuer.verify(bearer)) {
      res.setHeader('www-authenticate', 'Bearer realm="crm", error="invalid_token", error_description="the token is unknown, expired or revoked"');
      return sendJson(res, 401, { error: 'invalid_token' });
    }

    try {
      if (one) {
        const id = decodeURIComponent(one[1]!);
        if (method === 'GET') {
          const contact = contacts.get(id);
          return contact ? answer(sr, res, contact) : sendJson(res, 404, { error: 'not_found', message: `no contact ${id}` });
        }
        const patch = parsePatch(sr.body);
        const updated = contacts.patch(id, patch);
        return updated ? answer(sr, res, updated) : sendJson(res, 404, { error: 'not_found', message: `no contact ${id}` });
      }
      if (route === 'GET /contacts:batch') {
        const ids = (q.get('ids') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
        if (ids.length > CRM_MAX_BATCH_IDS) {
          return sendJson(res, 400, { error: 'too_many_ids', message: `at most ${CRM_MAX_BATCH_IDS} ids per request, got ${ids.length}` });
        }
        return answer(sr, res, { items: contacts.batch(ids) });
      }
      if (route === 'GET /contacts:changes') {
        const limitText = q.get('limit');
        const limit = limitText === null ? DEFAULT_CHANGES_LIMIT : Number(limitText);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGES_LIMIT) {
          throw new CrmInputError(`limit must be a whole number from 1 to ${MAX_CHANGES_LIMIT}, but got ${JSON.stringify(limitText)}`);
        }
        return answer(sr, res, contacts.changes({ since: q.get('updated_since') ?? undefined, cursor: q.get('cursor') ?? undefined }, limit));
      }
      const email = q.get('email');
      const phone = q.get('phone');
      if (email !== null) return answer(sr, res, { items: contacts.byEmail(email) });
      if (phone !== null) return answer(sr, res, { items: contacts.byPhone(phone) });
      throw new CrmInputError('one of ids, updated_since, cursor, email or phone is required');
    } catch (err) {
      if (err instanceof CrmInputError) return sendJson(res, 400, { error: 'invalid_request', message: err.message });
      throw err;
    }
  }

  const sim = createSimulator({ name: 'crm', handle, knobs: options.knobs });
  return Object.assign(sim, {
    revokeTokens: () => issuer.revokeAll(),
    activeTokens: () => issuer.activeTokens(),
    contact: (id: string) => {
      const c = contacts.get(id);
      return c ? { ...c } : undefined;
    },
  });
}

function parsePatch(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CrmInputError('the body must be a JSON object');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CrmInputError('the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** A 200 answer, broken on purpose when the malformed or oversized knob is on. */
function answer(sr: SimulatorRequest, res: ServerResponse, value: unknown): Promise<void> | void {
  if (sr.knobs.oversized) return sendOversized(res, value);
  if (sr.knobs.malformed) {
    const text = truncate(JSON.stringify(value));
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  sendJson(res, 200, value);
}

/** Streams a ~20 MB JSON answer: the real answer repeated in a list (see streamOversized). */
function sendOversized(res: ServerResponse, value: unknown): Promise<void> {
  const record = JSON.stringify(value);
  return streamOversized(res, { contentType: 'application/json; charset=utf-8', head: '{"items":[', item: `${record},`, tail: `${record}]}`, bytes: CRM_OVERSIZED_BYTES });
}
