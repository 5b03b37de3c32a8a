// The chat sessions of one process: one small record per socket (principal, state, rate-limit bucket, alive flag,
// and per joined conversation the last seq sent), the frame handlers, in-order delivery and the heartbeat sweep.
//
// Delivery: each joined conversation remembers `sent`, the last seq this socket got. A live entry with seq = sent+1
// is sent; one at or below `sent` is a repeat and dropped; one further ahead means entries were missed (another
// instance's publish lost, a reorder): the session reads them from the store (catch-up) and goes on live. So every
// socket gets every entry of a conversation exactly once, in seq order, from the point it joined or resumed.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Clock } from '../../common/clock.ts';
import { isUnicsError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Emitter } from '../../common/typed-events.ts';
import type { ChatPrincipal } from '../auth/chat-authenticator.ts';
import { chatErr } from '../error-catalogue.ts';
import { conversationTopic, participantTopic, type ChatFanout, type FanoutMessage } from '../fanout/chat-fanout.ts';
import type { FrameCodec } from '../protocol/frame-codec.ts';
import { entryFrame, errorFrame } from '../protocol/server-frames.ts';
import type { ChatEntry, ChatStore } from '../store/chat-store.ts';
import type { ChatAccessPolicy } from './access-policy.ts';
import type { ChatEvents, CloseReason } from './chat-events.ts';
import { handleCoreFrame, type ChatFrameHandler } from './core-frames.ts';
import { nextConnectionState, type ConnectionState } from './connection-state.ts';
import { newBucket, takeToken, type Bucket, type RateLimit } from './rate-limit.ts';

/** Any frame the server sends: a JSON object with a `type`. */
export interface OutgoingFrame {
  readonly type: string;
}

export interface SessionLimits {
  readonly rateLimit: RateLimit;
  /** Most bytes waiting in a socket's send buffer before it is closed as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** Entries read from the store per catch-up page. */
  readonly resumePageSize: number;
}

export interface ChatSessionsDeps {
  readonly store: ChatStore;
  readonly fanout: ChatFanout;
  readonly policy: ChatAccessPolicy;
  readonly events: Emitter<ChatEvents>;
  readonly codec: FrameCodec;
  readonly clock: Clock;
  readonly log: Logger;
  readonly limits: SessionLimits;
  /** Handlers of the extra frame types (chat/routing's), by type. */
  readonly handlers?: ReadonlyMap<string, ChatFrameHandler>;
}

interface Joined {
  /** The last seq sent to this socket. */
  sent: number;
  catchingUp: boolean;
  /** An entry arrived during a catch-up: read again when it ends. */
  again: boolean;
  readonly unsubscribe: () => void;
}

export interface ChatSession {
  readonly id: string;
  readonly principal: ChatPrincipal;
  readonly ws: WebSocket;
  state: ConnectionState;
  /** Answered the last ping (or sent something) since the previous sweep. */
  alive: boolean;
  /** When the server started closing it (clock ms), for the sweep to terminate clients that never answer. */
  closingSince: number;
  readonly bucket: Bucket;
  /** Joined conversations; created on the first join. */
  joined: Map<string, Joined> | undefined;
  /**
   * The frame being handled: frames of one socket are handled one after the other, so a client's sends are stored
   * in the order it sent them. The rate limit bounds how many wait.
   */
  tail: Promise<void> | undefined;
}

/** What a frame handler may do with its session. */
export interface SessionContext {
  readonly session: ChatSession;
  readonly store: ChatStore;
  readonly fanout: ChatFanout;
  readonly policy: ChatAccessPolicy;
  readonly events: Emitter<ChatEvents>;
  /** Sends a frame to this socket (respecting the slow-consumer limit). */
  send<F extends OutgoingFrame>(frame: F): void;
  /** Joins a conversation from afterSeq: sends what came after it from the store, then live entries. */
  join(conversationId: string, afterSeq: number): Promise<void>;
  isJoined(conversationId: string): boolean;
  leave(conversationId: string): void;
}

export interface ChatSessions {
  open(ws: WebSocket, principal: ChatPrincipal): ChatSession;
  /** One heartbeat round over every socket: terminate the silent, ping the rest. */
  sweep(): void;
  /** Asks every socket to go (close 1001) and waits up to timeoutMs for them to close. */
  closeAll(code: number, reason: string, timeoutMs: number): Promise<void>;
  /** Every session re-reads its conversations from the store (after a fan-out gap). */
  resyncAll(): void;
  readonly size: number;
}

/** How long a slow consumer gets to take the close before it is cut off. */
const SLOW_CONSUMER_GRACE_MS = 1000;
/** How long a socket we are closing gets to answer before the sweep cuts it off. */
const CLOSING_GRACE_MS = 5000;

export function createChatSessions(deps: ChatSessionsDeps): ChatSessions {
  const { store, fanout, codec, clock, log, limits, events } = deps;
  const sessions = new Set<ChatSession>();

  const close = (session: ChatSession, code: number, reason: string) => {
    if (session.state !== 'open') return;
    session.state = nextConnectionState(session.state, 'closing');
    session.closingSince = clock.now();
    session.ws.close(code, reason);
  };

  const slowConsumer = (session: ChatSession) => {
    events.emit('chat.frame_rejected', { code: chatErr.CHAT_ERR_SLOW_CONSUMER.code });
    closeReasons.set(session, 'slow_consumer');
    const err = chatErr.CHAT_ERR_SLOW_CONSUMER(`more than ${limits.maxBufferedBytes} bytes waited to be sent; reconnect and resume from the last seq you have`);
    session.ws.send(codec.encode(errorFrame(err)));
    close(session, 1013, 'slow consumer');
    // The close frame waits behind everything the client did not read: do not wait for its answer.
    setTimeout(() => session.ws.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
  };
  const closeReasons = new WeakMap<ChatSession, CloseReason>();

  /** Sends unless the socket is closing or its buffer is over the limit (then it is closed as a slow consumer). */
  const sendText = (session: ChatSession, text: string, done?: (err?: Error) => void): boolean => {
    if (session.state !== 'open') return false;
    if (session.ws.bufferedAmount > limits.maxBufferedBytes) {
      slowConsumer(session);
      return false;
    }
    session.ws.send(text, done);
    return true;
  };
  const send = (session: ChatSession, frame: OutgoingFrame) => sendText(session, codec.encode(frame));

  const sendEntry = (session: ChatSession, joined: Joined, entry: ChatEntry, done?: (err?: Error) => void) => {
    joined.sent = entry.seq;
    return sendText(session, codec.encode(entryFrame(entry)), done);
  };

  async function catchUp(session: ChatSession, conversationId: string, joined: Joined): Promise<void> {
    if (joined.catchingUp) {
      joined.again = true;
      return;
    }
    joined.catchingUp = true;
    try {
      for (;;) {
        joined.again = false;
        const entries = await store.entriesAfter(session.principal.tenant, conversationId, joined.sent, limits.resumePageSize);
        let last: Promise<void> | undefined;
        for (const entry of entries) {
          if (session.joined?.get(conversationId) !== joined || session.state !== 'open') return;
          // Only the next seq: a resume that moved `sent` back meanwhile makes this page stale (read again).
          if (entry.seq !== joined.sent + 1) {
            joined.again = true;
            continue;
          }
          if (entry === entries[entries.length - 1]) {
            // Wait for the page to reach the socket before reading the next: a long resume cannot fill the buffer.
            last = new Promise((resolve) => sendEntry(session, joined, entry, () => resolve()) || resolve());
          } else if (!sendEntry(session, joined, entry)) return;
        }
        if (last !== undefined) await last;
        if (entries.length < limits.resumePageSize && !joined.again) return;
      }
    } finally {
      joined.catchingUp = false;
    }
  }

  const startCatchUp = (session: ChatSession, conversationId: string, joined: Joined) => {
    catchUp(session, conversationId, joined).catch((err: unknown) => {
      log.warn({ err, conversationId }, 'chat: catch-up from the store failed; the client can resume');
      send(session, errorFrame(isUnicsError(err) ? err : chatErr.CHAT_ERR_UNAVAILABLE('could not read missed messages; resume again', { cause: err }), { conversationId }));
    });
  };

  const onFanout = (session: ChatSession, conversationId: string) => (message: FanoutMessage) => {
    const joined = session.joined?.get(conversationId);
    if (joined === undefined || session.state !== 'open') return;
    if (message.kind === 'frame') {
      send(session, message.frame);
      return;
    }
    const { entry } = message;
    if (joined.catchingUp) {
      if (entry.seq > joined.sent) joined.again = true;
      return;
    }
    if (entry.seq <= joined.sent) return;
    if (entry.seq === joined.sent + 1) {
      sendEntry(session, joined, entry);
      return;
    }
    startCatchUp(session, conversationId, joined);
  };

  const context = (session: ChatSession): SessionContext => ({
    session,
    store,
    fanout,
    policy: deps.policy,
    events,
    send: (frame) => void send(session, frame),
    async join(conversationId, afterSeq) {
      watchParticipant(session);
      session.joined ??= new Map();
      let joined = session.joined.get(conversationId);
      if (joined === undefined) {
        joined = { sent: afterSeq, catchingUp: false, again: false, unsubscribe: fanout.subscribe(conversationTopic(conversationId), onFanout(session, conversationId)) };
        session.joined.set(conversationId, joined);
      } else {
        joined.sent = afterSeq;
      }
      await catchUp(session, conversationId, joined);
    },
    isJoined: (conversationId) => session.joined?.has(conversationId) ?? false,
    leave(conversationId) {
      session.joined?.get(conversationId)?.unsubscribe();
      session.joined?.delete(conversationId);
    },
  });

  const onMessage = (session: ChatSession, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    session.alive = true;
    if (session.state !== 'open') return;
    if (!takeToken(session.bucket, limits.rateLimit, clock.now())) {
      events.emit('chat.frame_rejected', { code: chatErr.CHAT_ERR_RATE_LIMITED.code });
      send(session, errorFrame(chatErr.CHAT_ERR_RATE_LIMITED(`more than ${limits.rateLimit.perSecond} frames a second (bursts of ${limits.rateLimit.burst}); this frame was dropped, re-send it later`)));
      return;
    }
    const decoded = codec.decode(data, isBinary);
    if (!decoded.ok) {
      events.emit('chat.frame_rejected', { code: decoded.error.code });
      send(session, errorFrame(decoded.error, decoded.ref === undefined ? {} : { ref: decoded.ref }));
      return;
    }
    const { frame } = decoded;
    const ref = typeof frame.clientMsgId === 'string' ? frame.clientMsgId : undefined;
    const conversationId = typeof frame.conversationId === 'string' ? frame.conversationId : undefined;
    const extra = deps.handlers?.get(frame.type);
    const handle = () => (extra !== undefined ? extra.handle(frame, context(session)) : handleCoreFrame(frame, context(session)));
    const handled = session.tail === undefined ? handle() : session.tail.then(handle);
    const tail = handled.catch((err: unknown) => {
      if (!isUnicsError(err)) log.error({ err, type: frame.type, sessionId: session.id }, 'chat: frame handler failed unexpectedly; the client sees "Unexpected error"');
      events.emit('chat.frame_rejected', { code: isUnicsError(err) ? err.code : 'COMMON_ERR_UNEXPECTED' });
      send(session, errorFrame(err, { ...(ref !== undefined ? { ref } : {}), ...(conversationId !== undefined ? { conversationId } : {}) }));
    });
    session.tail = tail;
    void tail.then(() => {
      if (session.tail === tail) session.tail = undefined; // nothing queued behind it: drop the chain
    });
  };

  const participantSubscriptions = new WeakMap<ChatSession, () => void>();
  /** Frames for this participant wherever they are connected (participantTopic), once per session. */
  const watchParticipant = (session: ChatSession) => {
    if (participantSubscriptions.has(session) || session.state !== 'open') return;
    const { tenant, participant } = session.principal;
    participantSubscriptions.set(
      session,
      fanout.subscribe(participantTopic(tenant, participant), (message) => {
        if (message.kind === 'frame' && session.state === 'open') send(session, message.frame);
      }),
    );
  };
  const onClose = (session: ChatSession, code: number) => {
    if (session.state === 'closed') return;
    session.state = nextConnectionState(session.state, 'closed');
    sessions.delete(session);
    for (const joined of session.joined?.values() ?? []) joined.unsubscribe();
    participantSubscriptions.get(session)?.();
    session.joined = undefined;
    const { tenant, participant } = session.principal;
    events.emit('chat.connection_closed', { sessionId: session.id, tenant, participant, code, reason: closeReasons.get(session) ?? 'client' });
  };

  return {
    open(ws, principal) {
      const session: ChatSession = { id: randomUUID(), principal, ws, state: 'open', alive: true, closingSince: 0, bucket: newBucket(limits.rateLimit, clock.now()), joined: undefined, tail: undefined };
      sessions.add(session);
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => onMessage(session, data, isBinary));
      ws.on('pong', () => {
        session.alive = true;
      });
      ws.on('close', (code: number) => onClose(session, code));
      ws.on('error', (err: Error) => log.debug({ err: { message: err.message }, sessionId: session.id }, 'chat: socket error'));
      // Agents hear frames for them (chat/routing: assigned, waiting, notes) from the start; visitors from their first
      // join (their queue position, their agent), so an idle visitor's socket costs no topic.
      if (principal.participant.role === 'agent') watchParticipant(session);
      events.emit('chat.connection_opened', { sessionId: session.id, tenant: principal.tenant, participant: principal.participant });
      return session;
    },
    sweep() {
      const now = clock.now();
      for (const session of sessions) {
        if (session.state === 'closing') {
          if (now - session.closingSince > CLOSING_GRACE_MS) session.ws.terminate();
          continue;
        }
        if (!session.alive) {
          closeReasons.set(session, 'dead');
          session.ws.terminate();
          continue;
        }
        session.alive = false;
        session.ws.ping();
      }
    },
    async closeAll(code, reason, timeoutMs) {
      const waiting = [...sessions].map((session) => {
        closeReasons.set(session, 'shutdown');
        const closed = new Promise<void>((resolve) => {
          if (session.state === 'closed') resolve();
          else session.ws.once('close', () => resolve());
        });
        close(session, code, reason);
        return closed;
      });
      let timer: ReturnType<Clock['setTimeout']> | undefined;
      const timeout = new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all(waiting), timeout]);
      if (timer !== undefined) clock.clearTimeout(timer);
      for (const session of sessions) session.ws.terminate();
    },
    resyncAll() {
      for (const session of sessions) {
        for (const [conversationId, joined] of session.joined ?? []) startCatchUp(session, conversationId, joined);
      }
    },
    get size() {
      return sessions.size;
    },
  };
}
