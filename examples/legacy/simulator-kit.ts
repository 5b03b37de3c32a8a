// What every legacy simulator shares: a real HTTP server on loopback, knobs that make it behave badly on purpose
// (latency, errors, hangs, malformed payloads), and request counters that tests and benchmarks read.
// Knobs and counters are reachable in process and over HTTP (GET/POST /__sim/knobs, GET /__sim/stats,
// POST /__sim/reset), so a benchmark in another process can steer and count the same way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SimulatorKnobs {
  /** Added before every answer (ms). Default 0; benchmarks use 2. */
  latencyMs: number;
  /** Share of requests (0..1) answered with a server error (HTTP 500, or a SOAP Server fault for SOAP). */
  errorRate: number;
  /** Accept requests but never answer them (until the knob is turned off or the client gives up). */
  hang: boolean;
  /** Answer with a syntactically broken payload (truncated JSON or XML). */
  malformed: boolean;
  /** Answer with a body far larger than any sane limit (tests the client's size limit). */
  oversized: boolean;
  /** Simulator-specific knob: SOAP fault for every call (Shop), entity bomb (WMS), and so on. */
  hostile: boolean;
}

export const defaultKnobs = (): SimulatorKnobs => ({ latencyMs: 0, errorRate: 0, hang: false, malformed: false, oversized: false, hostile: false });

export interface SimulatorStats {
  /** Requests served, control endpoints excluded. */
  requests: number;
  /** Requests by route label (e.g. "GET /contacts"). */
  byRoute: Record<string, number>;
}

export interface SimulatorRequest {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** The raw request body (bodies over 1 MiB are refused with 413 before the handler runs). */
  readonly body: Buffer;
  readonly knobs: Readonly<SimulatorKnobs>;
  /** Counts the request under a route label; call once per request. */
  count(route: string): void;
}

export type SimulatorHandler = (request: SimulatorRequest, res: ServerResponse) => Promise<void> | void;

export interface Simulator {
  readonly name: string;
  readonly server: Server;
  readonly knobs: SimulatorKnobs;
  readonly stats: SimulatorStats;
  /** Listens on 127.0.0.1 (port 0: a free port) and returns the base URL. */
  listen(port?: number): Promise<string>;
  url(): string;
  resetStats(): void;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Creates a simulator server. The kit applies the knobs in this order: hang, latency, error rate; the handler
 * applies `malformed`, `oversized` and `hostile` in the way its protocol would break.
 * `errorResponse` writes the protocol's own server error (JSON for REST, a SOAP Fault for SOAP).
 */
export function createSimulator(opts: {
  name: string;
  handle: SimulatorHandler;
  errorResponse?: (res: ServerResponse) => void;
  knobs?: Partial<SimulatorKnobs>;
}): Simulator {
  const knobs: SimulatorKnobs = { ...defaultKnobs(), ...opts.knobs };
  const stats: SimulatorStats = { requests: 0, byRoute: {} };
  const hanging = new Set<ServerResponse>();
  let baseUrl = '';

  const serverError = opts.errorResponse ?? ((res: ServerResponse) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'internal_error', message: `${opts.name} simulator: injected failure` }));
  });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname.startsWith('/__sim/')) return control(req, res, url);
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'payload_too_large' }));
        return;
      }
      if (knobs.hang) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return; // never answered; the client's timeout must fire
      }
      if (knobs.latencyMs > 0) await sleep(knobs.latencyMs);
      if (knobs.errorRate > 0 && Math.random() < knobs.errorRate) {
        stats.requests++;
        stats.byRoute['(injected error)'] = (stats.byRoute['(injected error)'] ?? 0) + 1;
        return serverError(res);
      }
      let counted = false;
      await opts.handle(
        {
          req, url, body, knobs,
          count(route) {
            if (counted) return;
            counted = true;
            stats.requests++;
            stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
          },
        },
        res,
      );
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`${opts.name} simulator bug: ${(err as Error).message}`);
      } else res.destroy();
    }
  });
  server.keepAliveTimeout = 60_000;

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && url.pathname === '/__sim/stats') return json(200, stats);
    if (req.method === 'GET' && url.pathname === '/__sim/knobs') return json(200, knobs);
    if (req.method === 'POST' && url.pathname === '/__sim/reset') {
      sim.resetStats();
      return json(200, stats);
    }
    if (req.method === 'POST' && url.pathname === '/__sim/knobs') {
      const body = await readBody(req);
      let patch: Partial<Record<keyof SimulatorKnobs, unknown>>;
      try {
        patch = JSON.parse(body?.toString('utf8') || '{}') as typeof patch;
      } catch {
        return json(400, { error: 'knobs must be a JSON object' });
      }
      for (const [k, v] of Object.entries(patch)) {
        if (!(k in knobs) || typeof v !== typeof knobs[k as keyof SimulatorKnobs]) return json(400, { error: `unknown knob or wrong type: ${k}` });
        (knobs as unknown as Record<string, unknown>)[k] = v;
      }
      if (!knobs.hang) for (const r of hanging) r.destroy();
      return json(200, knobs);
    }
    return json(404, { error: 'unknown control endpoint' });
  }

  const sim: Simulator = {
    name: opts.name,
    server,
    knobs,
    stats,
    listen(port = 0) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
          resolve(baseUrl);
        });
      });
    },
    url() {
      if (!baseUrl) throw new Error(`${opts.name} simulator is not listening`);
      return baseUrl;
    },
    resetStats() {
      stats.requests = 0;
      for (const k of Object.keys(stats.byRoute)) delete stats.byRoute[k];
    },
    close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A body that is valid up to a point and then stops: what a crashed upstream or a broken proxy sends. */
export function truncate(text: string): string {
  return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
}

/**
 * The `oversized` knob's answer: `head`, then `item` repeated in chunks of about 64 KiB until at least `bytes` were
 * sent, then `tail` — a valid document when `item` is one element of the list that `head` opens and `tail` closes.
 * Streamed without a content-length (so the client has to count while reading), one reused chunk at a time with
 * backpressure, and stopped as soon as the client hangs up: the simulator's own memory stays flat, which lets a test
 * measure the client's.
 */
export async function streamOversized(
  res: ServerResponse,
  body: { readonly contentType: string; readonly head: string; readonly item: string; readonly tail: string; readonly bytes: number },
): Promise<void> {
  const chunk = Buffer.from(body.item.repeat(Math.max(1, Math.floor(65_536 / body.item.length))), 'utf8');
  res.writeHead(200, { 'content-type': body.contentType });
  res.write(body.head);
  let sent = 0;
  while (sent < body.bytes && !res.destroyed) {
    sent += chunk.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end(body.tail);
}
