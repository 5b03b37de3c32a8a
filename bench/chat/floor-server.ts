#!/usr/bin/env node
// The floor of the chat benchmark: a bare `ws` server doing the chat's work with nothing else — the same upgrade
// (`/chat?token=…`, the token verified BEFORE the upgrade with the same HS256 check and cost as UniCS: jose
// jwtVerify with the algorithm pinned, the visitor audience and the tenant claim checked), the same JSON frames
// (`send`, `resume`) and the same answers (`message {conversationId, seq, clientMsgId, from, text, at}` to every
// participant of the conversation, the sender included, as UniCS confirms a send). No persistence: conversations
// live in a Map with their last 100 entries (what `resume` replays), seq counted in memory. No rate limit, no
// heartbeats, no slow-consumer checks.
//
// Started by chat.bench.ts: env CHAT_BENCH_VISITOR_SECRET, CHAT_BENCH_AGENT_SECRET; prints `listening <port>`.
// GET /stats answers { sessions, conversations, frames }; GET /gc runs two full GCs (--expose-gc) and answers
// process.memoryUsage().
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { WebSocketServer, type WebSocket } from 'ws';

const VISITOR_AUDIENCE = 'unics-chat-visitor';
const HISTORY = 100;
const MAX_PAYLOAD_BYTES = 64 * 1024;

interface Participant {
  readonly role: 'visitor' | 'agent';
  readonly id: string;
}
interface Entry {
  readonly type: 'message';
  readonly conversationId: string;
  readonly seq: number;
  readonly clientMsgId: string;
  readonly from: Participant;
  readonly text: string;
  readonly at: string;
}
interface Conversation {
  readonly id: string;
  readonly customerId: string;
  lastSeq: number;
  readonly history: Entry[];
  readonly sockets: Set<WebSocket>;
}

const visitorKey = new TextEncoder().encode(process.env.CHAT_BENCH_VISITOR_SECRET ?? '');
const agentKey = new TextEncoder().encode(process.env.CHAT_BENCH_AGENT_SECRET ?? '');
if (visitorKey.length < 32 || agentKey.length < 32) throw new Error('floor-server: set CHAT_BENCH_VISITOR_SECRET and CHAT_BENCH_AGENT_SECRET (32+ characters)');

async function authenticate(token: string): Promise<Participant> {
  const [, body] = token.split('.');
  const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as { aud?: unknown };
  if (claims.aud === VISITOR_AUDIENCE) {
    const { payload } = await jwtVerify(token, visitorKey, { algorithms: ['HS256'], audience: VISITOR_AUDIENCE, clockTolerance: 5 });
    if (typeof payload.tenant !== 'string' || typeof payload.sub !== 'string') throw new Error('no tenant or sub');
    return { role: 'visitor', id: payload.sub };
  }
  const { payload } = await jwtVerify(token, agentKey, { algorithms: ['HS256'], clockTolerance: 5 });
  if (typeof payload.sub !== 'string' || !Array.isArray(payload.roles) || !payload.roles.includes('agent')) throw new Error('not an agent');
  return { role: 'agent', id: payload.sub };
}

const conversations = new Map<string, Conversation>();
const openByCustomer = new Map<string, Conversation>();
let sessions = 0;
let frames = 0;

const sendError = (ws: WebSocket, code: string, message: string) => ws.send(JSON.stringify({ type: 'error', code, message }));

function join(ws: WebSocket, joined: Set<Conversation>, c: Conversation) {
  c.sockets.add(ws);
  joined.add(c);
}

function onFrame(ws: WebSocket, who: Participant, joined: Set<Conversation>, data: Buffer) {
  frames += 1;
  let frame: { type?: unknown; conversationId?: unknown; clientMsgId?: unknown; text?: unknown; afterSeq?: unknown };
  try {
    frame = JSON.parse(data.toString('utf8')) as typeof frame;
  } catch {
    return sendError(ws, 'CHAT_ERR_BAD_FRAME', 'not JSON');
  }
  if (frame.type === 'send' && typeof frame.clientMsgId === 'string' && typeof frame.text === 'string') {
    let c: Conversation | undefined;
    if (typeof frame.conversationId === 'string') c = conversations.get(frame.conversationId);
    else if (who.role === 'visitor') {
      c = openByCustomer.get(who.id);
      if (c === undefined) {
        c = { id: randomUUID(), customerId: who.id, lastSeq: 0, history: [], sockets: new Set() };
        conversations.set(c.id, c);
        openByCustomer.set(who.id, c);
      }
    }
    if (c === undefined) return sendError(ws, 'CHAT_ERR_NOT_FOUND', 'no such conversation');
    if (who.role === 'visitor' && c.customerId !== who.id) return sendError(ws, 'CHAT_ERR_FORBIDDEN', 'not yours');
    if (!joined.has(c)) join(ws, joined, c);
    c.lastSeq += 1;
    const entry: Entry = { type: 'message', conversationId: c.id, seq: c.lastSeq, clientMsgId: frame.clientMsgId, from: who, text: frame.text, at: new Date().toISOString() };
    c.history.push(entry);
    if (c.history.length > HISTORY) c.history.shift();
    const out = JSON.stringify(entry);
    for (const s of c.sockets) s.send(out);
    return;
  }
  if (frame.type === 'resume' && typeof frame.conversationId === 'string' && typeof frame.afterSeq === 'number') {
    const c = conversations.get(frame.conversationId);
    if (c === undefined) return sendError(ws, 'CHAT_ERR_NOT_FOUND', 'no such conversation');
    if (who.role === 'visitor' && c.customerId !== who.id) return sendError(ws, 'CHAT_ERR_FORBIDDEN', 'not yours');
    join(ws, joined, c);
    for (const e of c.history) if (e.seq > frame.afterSeq) ws.send(JSON.stringify(e));
    return;
  }
  sendError(ws, 'CHAT_ERR_BAD_FRAME', 'unknown or malformed frame');
}

const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false, clientTracking: false });
const server = createServer((req, res) => {
  if (req.url === '/gc') {
    // Both servers answer the same way: two full GCs, then process.memoryUsage() (for the benchmark's memory reads).
    (globalThis as { gc?: () => void }).gc?.();
    (globalThis as { gc?: () => void }).gc?.();
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(process.memoryUsage()));
  }
  if (req.url === '/stats') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sessions, conversations: conversations.size, frames }));
  else res.writeHead(404).end();
});
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  socket.on('error', () => socket.destroy());
  if (url.pathname !== '/chat') return socket.destroy();
  authenticate(url.searchParams.get('token') ?? '').then(
    (who) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        sessions += 1;
        const joined = new Set<Conversation>();
        ws.on('message', (data: Buffer) => onFrame(ws, who, joined, data));
        ws.on('error', () => {});
        ws.on('close', () => {
          sessions -= 1;
          for (const c of joined) c.sockets.delete(ws);
        });
      }),
    () => {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    },
  );
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => process.exit(0));
