// Request ids and what a request looks like in the log: one line per request, with its id, and never a secret.
// Authorization headers are not logged at all; query parameters named like secrets (token, access_token, apiKey, …)
// are replaced by "[redacted]" — the chat socket takes its token as ?token=… because browsers cannot set headers.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createSecretMatcher, REDACTED } from '../common/redact.ts';

const matcher = createSecretMatcher();
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Keeps a well-formed incoming x-request-id (so ids follow a request across proxies); otherwise a fresh UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** The URL with secret-looking query parameters redacted. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (matcher.isSecret(key)) {
      params.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

/** pino serializer for Fastify's `req`: method, redacted URL and peer; no headers. */
export function serializeRequest(req: { method?: string; url?: string; ip?: string; socket?: { remotePort?: number } }): Record<string, unknown> {
  return { method: req.method, url: redactUrl(req.url ?? ''), remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}
