#!/usr/bin/env node
// A load process of the chat benchmark, forked by chat.bench.ts (IPC, advanced serialization) so the load never runs
// inside a measured process. It opens conversations of one visitor socket and one agent socket (the visitor sends
// the first message without a conversationId, the agent resumes the conversation from before it and so knows it
// joined), then runs the phases it is asked for and answers with counts and raw latencies. Both sockets of a
// conversation live in this process, so a latency is one clock read minus another of the same machine.
import WebSocket from 'ws';
import { signDevToken } from '../../gateway/auth/sign-dev-token.ts';
import { createVisitorTokens } from '../../chat/auth/visitor-token.ts';
import {
  clockMs,
  dueBy,
  readStamp,
  senderOf,
  stampText,
  type ConnectCommand,
  type ConnectResult,
  type LatencyCommand,
  type LoadCommand,
  type LoadReply,
  type PhaseResult,
  type ThroughputCommand,
} from './load-protocol.ts';

interface Frame {
  readonly type: string;
  readonly [field: string]: unknown;
}
type Role = 'visitor' | 'agent';
interface Sock {
  readonly ws: WebSocket;
  readonly role: Role;
  /** Its conversation's position in `convs`. */
  conv: number;
  /** During set-up: gets each frame first; true when it took it. */
  waiter: ((f: Frame) => boolean) | undefined;
}
interface Conv {
  readonly id: string;
  readonly visitor: Sock;
  readonly agent: Sock;
}

type FrameHandler = (sock: Sock, frame: Frame, at: number) => void;

const convs: Conv[] = [];
const sockets: Sock[] = [];
const closes: Record<string, number> = {};
let onFrame: FrameHandler = () => {};

function open(baseUrl: string, token: string, role: Role, conv: number, timeoutMs: number): Promise<Sock> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/chat?token=${encodeURIComponent(token)}`, { perMessageDeflate: false, handshakeTimeout: timeoutMs });
  const sock: Sock = { ws, role, conv, waiter: undefined };
  ws.on('message', (data: Buffer) => {
    const at = clockMs();
    const frame = JSON.parse(data.toString('utf8')) as Frame;
    if (sock.waiter?.(frame) === true) return;
    onFrame(sock, frame, at);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.on('close', (code: number) => (closes[String(code)] = (closes[String(code)] ?? 0) + 1));
      sockets.push(sock);
      resolve(sock);
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('close', (code: number) => reject(new Error(`closed with ${code} before it opened`)));
  });
}

/** Sends a frame and waits for the answer `match` picks; an error frame or the deadline rejects. */
function request(sock: Sock, frame: object, match: (f: Frame) => boolean, timeoutMs: number): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.waiter = undefined;
      reject(new Error(`no answer to ${JSON.stringify(frame).slice(0, 80)} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.waiter = (f) => {
      if (f.type === 'error') {
        clearTimeout(timer);
        sock.waiter = undefined;
        reject(new Error(`${String(f.code)}: ${String(f.message)}`));
        return true;
      }
      if (!match(f)) return false;
      clearTimeout(timer);
      sock.waiter = undefined;
      resolve(f);
      return true;
    };
    sock.ws.send(JSON.stringify(frame));
  });
}

async function connect(c: ConnectCommand): Promise<ConnectResult> {
  const started = clockMs();
  const visitorTokens = createVisitorTokens({ secret: c.visitorSecret });
  const base = convs.length;
  let next = 0;
  let failed = 0;
  const firstFailures: string[] = [];
  const setUp = async (i: number) => {
    const customerId = `${c.idPrefix}v${i}`;
    const { token } = await visitorTokens.sign({ tenant: c.tenant, customerId });
    const visitor = await open(c.visitorUrl, token, 'visitor', base + i, c.timeoutMs);
    const first = await request(visitor, { type: 'send', clientMsgId: 'open', text: 'hello' }, (f) => f.type === 'message' && f.clientMsgId === 'open', c.timeoutMs);
    const agentToken = await signDevToken({ secret: c.agentSecret, tenant: c.tenant, subject: `${c.idPrefix}a${i}`, roles: ['agent'] });
    const agent = await open(c.agentUrl, agentToken, 'agent', base + i, c.timeoutMs);
    const seq = first.seq as number;
    await request(agent, { type: 'resume', conversationId: first.conversationId, afterSeq: seq - 1 }, (f) => f.type === 'message' && f.seq === seq, c.timeoutMs);
    return { id: first.conversationId as string, visitor, agent };
  };
  const slots: (Conv | undefined)[] = new Array<Conv | undefined>(c.conversations);
  const worker = async () => {
    while (next < c.conversations) {
      const i = next++;
      try {
        slots[i] = await setUp(i);
      } catch (err) {
        failed += 1;
        if (firstFailures.length < 5) firstFailures.push(`conversation ${i}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(c.concurrency, c.conversations) }, worker));
  // Conversation numbers are positions in `convs`; a failed set-up leaves a hole that phases skip.
  for (const conv of slots) if (conv !== undefined) convs.push(conv);
  for (const [i, conv] of convs.entries()) {
    conv.visitor.conv = i;
    conv.agent.conv = i;
  }
  return { ready: slots.filter(Boolean).length, failed, firstFailures, ms: Math.round(clockMs() - started) };
}

interface Tally {
  sent: number;
  delivered: number;
  echoes: number;
  counted: number;
  readonly latencies: number[];
  readonly errors: Record<string, number>;
}
const newTally = (): Tally => ({ sent: 0, delivered: 0, echoes: 0, counted: 0, latencies: [], errors: {} });
const closesBefore = () => ({ ...closes });
const closesSince = (before: Record<string, number>) => Object.fromEntries(Object.entries(closes).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0));

const sendFrom = (conv: Conv, side: Role, phase: string, index: number) => {
  const sock = side === 'visitor' ? conv.visitor : conv.agent;
  const at = clockMs();
  sock.ws.send(JSON.stringify({ type: 'send', conversationId: conv.id, clientMsgId: `${phase}-${index}`, text: stampText(phase, index, at) }));
  return at;
};

const waitUntil = (done: () => boolean, timeoutMs: number) =>
  new Promise<void>((resolve) => {
    const deadline = clockMs() + timeoutMs;
    const check = () => (done() || clockMs() > deadline ? resolve() : setTimeout(check, 20));
    check();
  });

/** Counts a frame of the phase: a delivery to the other side (with its latency), an echo, or an error. */
function tallyFrame(t: Tally, phase: string, sock: Sock, frame: Frame, at: number, counts: (at: number) => boolean): number | undefined {
  if (frame.type === 'error') {
    const code = String(frame.code);
    t.errors[code] = (t.errors[code] ?? 0) + 1;
    return undefined;
  }
  if (frame.type !== 'message') return undefined;
  const stamp = readStamp(frame.text);
  if (stamp === undefined || stamp.phase !== phase) return undefined;
  if ((frame.from as { role?: unknown } | undefined)?.role === sock.role) {
    t.echoes += 1;
    return undefined;
  }
  t.delivered += 1;
  if (counts(at)) {
    t.counted += 1;
    t.latencies.push(at - stamp.sentAtMs);
  }
  return stamp.index;
}

const result = (t: Tally, windowMs: number, before: Record<string, number>): PhaseResult => ({
  sent: t.sent,
  delivered: t.delivered,
  echoes: t.echoes,
  counted: t.counted,
  windowMs,
  latenciesMs: Float64Array.from(t.latencies),
  errors: t.errors,
  closes: closesSince(before),
});

async function latency(c: LatencyCommand): Promise<PhaseResult> {
  const t = newTally();
  const before = closesBefore();
  const total = Math.round((c.rate * c.durationMs) / 1000);
  onFrame = (sock, frame, at) => void tallyFrame(t, c.phase, sock, frame, at, () => true);
  const start = clockMs();
  if (convs.length > 0) {
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = dueBy(clockMs() - start, c.rate, total);
        while (t.sent < due) {
          const { conv, side } = senderOf(t.sent, convs.length);
          sendFrom(convs[conv]!, side, c.phase, t.sent);
          t.sent += 1;
        }
        if (t.sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
  }
  const windowMs = clockMs() - start;
  await waitUntil(() => t.delivered >= t.sent, c.drainMs);
  onFrame = () => {};
  return result(t, windowMs, before);
}

async function throughput(c: ThroughputCommand): Promise<PhaseResult> {
  const t = newTally();
  const before = closesBefore();
  const n = Math.min(c.concurrency, convs.length);
  const lastSend = new Float64Array(n);
  const turn = new Uint8Array(n); // 0: the visitor sends next, 1: the agent
  const inFlight = new Uint8Array(n);
  const start = clockMs();
  const from = start + c.rampMs;
  const to = from + c.windowMs;
  let stopped = false;
  const fire = (i: number) => {
    if (stopped) return;
    inFlight[i] = 1;
    lastSend[i] = sendFrom(convs[i]!, turn[i] === 0 ? 'visitor' : 'agent', c.phase, t.sent);
    t.sent += 1;
    turn[i] = 1 - turn[i]!;
  };
  const next = (i: number) => {
    inFlight[i] = 0;
    const wait = lastSend[i]! + c.minIntervalMs - clockMs();
    if (wait <= 0) fire(i);
    else setTimeout(() => fire(i), wait);
  };
  onFrame = (sock, frame, at) => {
    const index = tallyFrame(t, c.phase, sock, frame, at, (ms) => ms >= from && ms < to);
    if (sock.conv >= n) return;
    // A refused send (rate limit …) is answered with an error frame to the sender: that conversation goes on.
    if (index !== undefined || (frame.type === 'error' && inFlight[sock.conv] === 1)) next(sock.conv);
  };
  for (let i = 0; i < n; i++) fire(i);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, to - clockMs())));
  stopped = true;
  await waitUntil(() => t.delivered >= t.sent, c.drainMs);
  onFrame = () => {};
  return result(t, c.windowMs, before);
}

async function handle(command: LoadCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      return connect(command);
    case 'latency':
      return latency(command);
    case 'throughput':
      return throughput(command);
    case 'close':
      for (const s of sockets) s.ws.terminate();
      setTimeout(() => process.exit(0), 50);
      return { closed: sockets.length };
  }
}

process.on('message', (command: LoadCommand) => {
  handle(command).then(
    (r) => process.send?.({ ok: true, result: r } satisfies LoadReply),
    (err: unknown) => process.send?.({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies LoadReply),
  );
});
process.on('disconnect', () => process.exit(0));
