// ws /chat on the gateway's HTTP server (routed by the gateway's upgrade router, next to graphql-ws's /graphql).
// The token (`?token=`: browsers cannot set headers on a WebSocket) is verified BEFORE a session exists: a refused
// upgrade becomes a socket that gets one error frame and is closed at once with 4401 (4403: valid token, not allowed;
// 1013: the keys could not be fetched), and never reads a frame. One interval sweeps every socket for heartbeats
// (no timer per connection); close() closes every socket with 1001.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isUnicsError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Emitter } from '../../common/typed-events.ts';
import type { ChatAuthenticator } from '../auth/chat-authenticator.ts';
import { errorFrame } from '../protocol/server-frames.ts';
import type { ChatEvents } from '../session/chat-events.ts';
import type { ChatSessions } from '../session/chat-sessions.ts';

export interface ChatServerOptions {
  readonly authenticate: ChatAuthenticator;
  readonly sessions: ChatSessions;
  readonly events: Emitter<ChatEvents>;
  readonly log: Logger;
  /** Largest WebSocket message read; a larger one closes the socket with 1009 unread. */
  readonly maxPayloadBytes: number;
  /** How often every socket is pinged; one that did not answer the previous ping is terminated. */
  readonly heartbeatIntervalMs: number;
  /** How long close() waits for clients to answer the 1001 close before cutting them off. */
  readonly closeTimeoutMs?: number;
}

export interface ChatServer {
  /** For gateway.addUpgradeHandler('/chat', …). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

const reasonOf = (message: string) => (Buffer.byteLength(message) <= 123 ? message : `${Buffer.from(message).subarray(0, 120).toString('utf8')}...`);

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export function createChatServer(options: ChatServerOptions): ChatServer {
  const { sessions, log, events } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
  let closing = false;
  const heartbeat = setInterval(() => sessions.sweep(), options.heartbeatIntervalMs);
  heartbeat.unref();

  const closeRefused = (ws: WebSocket, err: unknown) => {
    ws.send(JSON.stringify(errorFrame(err)));
    ws.close(isUnicsError(err) ? (err.wsClose ?? 1013) : 1011, reasonOf(isUnicsError(err) ? err.message : 'Unexpected error'));
  };

  return {
    handleUpgrade(req, socket, head) {
      if (closing) return refuse(socket, '503 Service Unavailable');
      const onSocketError = () => socket.destroy();
      socket.on('error', onSocketError); // a client that resets during verification must not crash the process
      const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? undefined;
      options.authenticate(token).then(
        (principal) => {
          socket.off('error', onSocketError);
          if (closing || socket.destroyed) return refuse(socket, '503 Service Unavailable');
          wss.handleUpgrade(req, socket, head, (ws) => sessions.open(ws, principal));
        },
        (err: unknown) => {
          socket.off('error', onSocketError);
          if (!isUnicsError(err)) log.error({ err }, 'chat: token verification failed unexpectedly');
          else log.info({ code: err.code, reason: err.message }, 'chat: connection refused');
          events.emit('chat.connection_refused', { code: isUnicsError(err) ? err.code : 'COMMON_ERR_UNEXPECTED' });
          if (socket.destroyed) return;
          wss.handleUpgrade(req, socket, head, (ws) => closeRefused(ws, err));
        },
      );
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      await sessions.closeAll(1001, 'server shutting down', options.closeTimeoutMs ?? 5000);
      wss.close();
    },
  };
}
