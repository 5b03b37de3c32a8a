// A chat client that behaves like a real one across reconnects: it remembers the last seq it has of its
// conversation, resumes from there after every reconnect and re-sends its unconfirmed messages with the same
// clientMsgId. It records every message frame it gets, so a test can check that each seq arrived exactly once and in
// order over the client's whole life (duplicate answers to re-sends are flagged and kept apart).
import { connectChat, type ChatTestClient, type ReceivedFrame } from './chat-client.ts';

export interface ResilientClient {
  readonly name: string;
  conversationId: string | undefined;
  /** Seqs of the message frames received (not the duplicate answers), in arrival order, over every connection. */
  readonly received: number[];
  /** clientMsgIds sent and not yet seen stored. */
  readonly pending: Map<string, string>;
  /** Last seq held (contiguous from 1, or from where it joined). */
  lastSeq: number;
  reconnects: number;
  connect(url: string): Promise<void>;
  send(clientMsgId: string, text: string): void;
  /** Drops the socket without a goodbye and connects again (to `url`), resuming and re-sending. */
  reconnect(url: string): Promise<void>;
  /** Resolves when the client holds everything up to seq and has nothing pending. */
  waitUntil(seq: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export function createResilientClient(name: string, token: string, conversationId?: string): ResilientClient {
  let socket: ChatTestClient | undefined;
  const watchers = new Set<() => void>();
  const onFrame = (frame: ReceivedFrame) => {
    if (frame.type !== 'message') return;
    if (frame.duplicate === true) {
      client.pending.delete(frame.clientMsgId as string);
    } else {
      client.conversationId ??= frame.conversationId as string;
      client.received.push(frame.seq as number);
      if (frame.seq === client.lastSeq + 1) client.lastSeq = frame.seq;
      if (typeof frame.clientMsgId === 'string' && (frame.from as { id: string }).id === name) client.pending.delete(frame.clientMsgId);
    }
    for (const w of watchers) w();
  };
  const attach = async (url: string) => {
    const s = await connectChat(url, token);
    socket = s;
    const frames = s.frames;
    // chat-client keeps frames in an array; read new ones as they come.
    let read = 0;
    s.ws.on('message', () => {
      while (read < frames.length) onFrame(frames[read++] as ReceivedFrame);
    });
    if (client.conversationId !== undefined) s.send({ type: 'resume', conversationId: client.conversationId, afterSeq: client.lastSeq });
    for (const [clientMsgId, text] of client.pending) s.send({ type: 'send', conversationId: client.conversationId, clientMsgId, text });
  };
  const client: ResilientClient = {
    name,
    conversationId,
    received: [],
    pending: new Map(),
    lastSeq: 0,
    reconnects: 0,
    connect: attach,
    send(clientMsgId, text) {
      client.pending.set(clientMsgId, text);
      socket?.send(client.conversationId === undefined ? { type: 'send', clientMsgId, text } : { type: 'send', conversationId: client.conversationId, clientMsgId, text });
    },
    async reconnect(url) {
      client.reconnects++;
      socket?.ws.terminate();
      await attach(url);
    },
    waitUntil(seq, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (client.lastSeq >= seq && client.pending.size === 0) {
            watchers.delete(check);
            clearTimeout(timer);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`${name}: waited ${timeoutMs} ms for seq ${seq}; has ${client.lastSeq}, ${client.pending.size} pending`));
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    async close() {
      await socket?.close();
    },
  };
  return client;
}
