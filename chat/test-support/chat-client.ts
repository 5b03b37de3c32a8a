// A small test client for ws /chat: records every frame, waits for frames with deadlines, knows how it was closed.
import WebSocket from 'ws';

export interface ReceivedFrame {
  readonly type: string;
  readonly [field: string]: unknown;
}

export interface ChatTestClient {
  readonly ws: WebSocket;
  readonly frames: ReceivedFrame[];
  send(frame: unknown): void;
  sendRaw(data: string | Buffer): void;
  /** Resolves with the first frame (seen so far or later) matching, or rejects after timeoutMs. */
  waitFor(match: (f: ReceivedFrame) => boolean, timeoutMs?: number, what?: string): Promise<ReceivedFrame>;
  /** Resolves when `count` frames match. */
  waitForCount(match: (f: ReceivedFrame) => boolean, count: number, timeoutMs?: number): Promise<ReceivedFrame[]>;
  /** Resolves with the close code and reason. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  close(): Promise<void>;
}

export function connectChat(baseUrl: string, token: string | undefined, options: { readonly maxPayload?: number } = {}): Promise<ChatTestClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/chat${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  const ws = new WebSocket(url, { perMessageDeflate: false, ...(options.maxPayload ? { maxPayload: options.maxPayload } : {}) });
  const frames: ReceivedFrame[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()) as ReceivedFrame);
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});

  const waitForCount: ChatTestClient['waitForCount'] = (match, count, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const found = frames.filter(match);
        if (found.length >= count) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`waited ${timeoutMs} ms for ${count} matching frames; got ${frames.filter(match).length}. Last frames: ${JSON.stringify(frames.slice(-5))}`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });

  const client: ChatTestClient = {
    ws,
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    sendRaw: (data) => ws.send(data),
    waitFor: async (match, timeoutMs, _what) => (await waitForCount(match, 1, timeoutMs))[0] as ReceivedFrame,
    waitForCount,
    closed,
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      // A client made to stop reading (slow-consumer tests) never sees the server's answer: cut it off.
      const timer = setTimeout(() => ws.terminate(), 1000);
      await closed;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}
