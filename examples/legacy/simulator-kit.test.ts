import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { streamOversized } from './simulator-kit.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? (server.closeAllConnections(), server.close(() => resolve())) : resolve())));

/** A loopback server whose only answer is streamOversized(body); `done` settles when the writer returns. */
async function serve(body: Parameters<typeof streamOversized>[1]): Promise<{ url: string; done: Promise<void> }> {
  let finish!: (p: Promise<void>) => void;
  const done = new Promise<void>((resolve, reject) => (finish = (p) => void p.then(resolve, reject)));
  server = createServer((_req, res) => finish(streamOversized(res, body)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, done };
}

describe('streamOversized', () => {
  it('streams head, items up to the size, and tail without a content-length: a valid document', async () => {
    const item = JSON.stringify({ id: 'C000001', name: 'x'.repeat(100) });
    const { url, done } = await serve({ contentType: 'application/json', head: '{"items":[', item: `${item},`, tail: `${item}]}`, bytes: 1024 * 1024 });
    const res = await fetch(url);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    await done;
    expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(1024 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024 + 70_000); // stops within one ~64 KiB chunk
    const items = (JSON.parse(text) as { items: unknown[] }).items;
    expect(items.length).toBeGreaterThan(1000);
    expect(items.every((i) => (i as { id: string }).id === 'C000001')).toBe(true);
  });

  it('stops producing as soon as the client hangs up', async () => {
    const { url, done } = await serve({ contentType: 'text/plain', head: '', item: 'x'.repeat(1024), tail: 'END', bytes: 1024 ** 3 });
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const req = request(url, (res) => {
        res.on('data', (c: Buffer) => {
          received += c.length;
          if (received > 256 * 1024) req.destroy();
        });
      });
      req.on('close', resolve);
      req.on('error', reject);
      req.end();
    });
    await done; // would never settle if the writer kept waiting for 'drain' on a closed socket
    expect(received).toBeLessThan(1024 ** 3);
  });
});
