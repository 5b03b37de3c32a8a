// Component tier: the chat on a loopback server (port 0) over PGlite, with real WebSocket clients.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectChat, type ChatTestClient, type ReceivedFrame } from './test-support/chat-client.ts';
import { startChatHarness, type ChatHarness } from './test-support/chat-harness.ts';
import { createSharedPglite, PGLITE_HOOK_TIMEOUT_MS } from './test-support/shared-pglite.ts';

const pglite = createSharedPglite();
beforeAll(() => pglite.database(), PGLITE_HOOK_TIMEOUT_MS);
afterAll(() => pglite.close());

let harness: ChatHarness;
const clients: ChatTestClient[] = [];
const start = async (limits?: Parameters<typeof startChatHarness>[0]['limits']) => {
  harness = await startChatHarness({ db: await pglite.database(), ...(limits ? { limits } : {}) });
  return harness;
};
const connect = async (token: string | undefined) => {
  const client = await connectChat(harness.url, token);
  clients.push(client);
  return client;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await harness?.close();
});

const isMessage = (seq?: number) => (f: ReceivedFrame) => f.type === 'message' && (seq === undefined || f.seq === seq);
const isError = (code: string) => (f: ReceivedFrame) => f.type === 'error' && f.code === code;
const seqsOf = (frames: ReceivedFrame[]) => frames.filter((f) => f.type === 'message' && f.duplicate !== true).map((f) => f.seq);

// Each test migrates a fresh schema on the shared PGlite first: seconds when CI runs other files beside it.
describe('chat over WebSocket (PGlite, loopback)', { timeout: 30_000 }, () => {
  it('carries a visitor message to an agent and the answer back', async () => {
    await start();
    const visitor = await connect(await harness.visitorToken('t1', 'C000001'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'Where is my order?' });
    const echo = await visitor.waitFor(isMessage(1));
    expect(echo).toMatchObject({ type: 'message', seq: 1, clientMsgId: 'v1', from: { role: 'visitor', id: 'C000001' }, text: 'Where is my order?' });
    const conversationId = echo.conversationId as string;
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);

    const agent = await connect(await harness.agentToken('t1', 'ann'));
    agent.send({ type: 'resume', conversationId, afterSeq: 0 });
    expect(await agent.waitFor(isMessage(1))).toEqual(echo);
    agent.send({ type: 'send', conversationId, clientMsgId: 'a1', text: 'It ships today.' });
    const answer = await visitor.waitFor(isMessage(2));
    expect(answer).toMatchObject({ conversationId, seq: 2, from: { role: 'agent', id: 'ann' }, text: 'It ships today.' });
    expect(await agent.waitFor(isMessage(2))).toEqual(answer);
    expect(Date.parse(answer.at as string)).toBeGreaterThan(Date.now() - 60_000);
    const metrics = await harness.metrics.getSingleMetricAsString('unics_chat_connections');
    expect(metrics).toContain('unics_chat_connections{role="visitor"} 1');
    expect(metrics).toContain('unics_chat_connections{role="agent"} 1');
  });

  it('records acks and pages the history over the socket', async () => {
    await start();
    const visitor = await connect(await harness.visitorToken('t1', 'C13'));
    for (let i = 1; i <= 7; i++) {
      visitor.send({ type: 'send', ...(i > 1 ? { conversationId: visitor.frames[0]?.conversationId } : {}), clientMsgId: `h${i}`, text: `m${i}` });
      await visitor.waitFor(isMessage(i));
    }
    const conversationId = visitor.frames[0]?.conversationId as string;
    const acked = new Promise((resolve) => harness.chat.events.once('chat.acked', resolve));
    visitor.send({ type: 'ack', conversationId, seq: 5 });
    expect(await acked).toEqual({ tenant: 't1', conversationId, participant: { role: 'visitor', id: 'C13' }, seq: 5 });
    expect(await harness.chat.store.acks('t1', conversationId)).toEqual([{ participant: { role: 'visitor', id: 'C13' }, lastSeq: 5 }]);
    visitor.send({ type: 'history', conversationId, limit: 3 });
    const page = await visitor.waitFor((f) => f.type === 'history');
    expect(page).toMatchObject({ conversationId, hasMore: true });
    expect((page.entries as ReceivedFrame[]).map((e) => e.text)).toEqual(['m5', 'm6', 'm7']);
    visitor.send({ type: 'history', conversationId, beforeSeq: 3, limit: 3 });
    const older = await visitor.waitForCount((f) => f.type === 'history', 2);
    expect(older[1]).toMatchObject({ hasMore: false });
    expect((older[1]?.entries as ReceivedFrame[]).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('stores and delivers a re-sent clientMsgId once, answering the re-send with the original', async () => {
    await start();
    const visitor = await connect(await harness.visitorToken('t1', 'C2'));
    visitor.send({ type: 'send', clientMsgId: 'dup', text: 'hello' });
    const first = await visitor.waitFor(isMessage(1));
    const agent = await connect(await harness.agentToken('t1', 'ann'));
    agent.send({ type: 'resume', conversationId: first.conversationId, afterSeq: 0 });
    await agent.waitFor(isMessage(1));
    visitor.send({ type: 'send', conversationId: first.conversationId, clientMsgId: 'dup', text: 'hello' });
    const again = await visitor.waitFor((f) => f.type === 'message' && f.duplicate === true);
    expect(again).toEqual({ ...first, duplicate: true });
    visitor.send({ type: 'send', conversationId: first.conversationId, clientMsgId: 'next', text: 'next' });
    await agent.waitFor(isMessage(2));
    expect(seqsOf(agent.frames)).toEqual([1, 2]);
    expect((await harness.chat.store.entriesAfter('t1', first.conversationId as string, 0, 10)).map((e) => e.clientMsgId)).toEqual(['dup', 'next']);
  });

  it('resumes after a disconnect with exactly the messages missed', async () => {
    await start();
    const visitorToken = await harness.visitorToken('t1', 'C3');
    const visitor = await connect(visitorToken);
    visitor.send({ type: 'send', clientMsgId: 'm1', text: 'one' });
    const { conversationId } = await visitor.waitFor(isMessage(1));
    await visitor.close();
    const agent = await connect(await harness.agentToken('t1', 'ann'));
    for (let i = 0; i < 5; i++) agent.send({ type: 'send', conversationId, clientMsgId: `a${i}`, text: `answer ${i}` });
    await agent.waitFor(isMessage(6));
    const back = await connect(visitorToken);
    back.send({ type: 'resume', conversationId, afterSeq: 1 });
    await back.waitFor(isMessage(6));
    back.send({ type: 'send', conversationId, clientMsgId: 'm2', text: 'thanks' });
    await back.waitFor(isMessage(7));
    expect(seqsOf(back.frames)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(back.frames.filter((f) => f.type === 'error')).toEqual([]);
  });

  it('answers garbage, unknown types and oversized frames with error frames, and keeps serving', async () => {
    await start({ maxFrameBytes: 2048, maxPayloadBytes: 8192 });
    const visitor = await connect(await harness.visitorToken('t1', 'C4'));
    visitor.sendRaw('{not json');
    await visitor.waitFor(isError('CHAT_ERR_BAD_FRAME'));
    visitor.send({ type: 'teleport', clientMsgId: 'x1' });
    expect(await visitor.waitFor(isError('CHAT_ERR_UNKNOWN_TYPE'))).toMatchObject({ ref: 'x1', message: 'unknown frame type "teleport"; the server accepts send, resume, ack, history' });
    visitor.send({ type: 'send', clientMsgId: 'big', text: 'x'.repeat(3000) });
    expect(await visitor.waitFor(isError('CHAT_ERR_FRAME_TOO_LARGE'))).toMatchObject({ message: 'the frame has 3045 bytes, more than the limit of 2048 bytes; it was dropped' });
    visitor.sendRaw(Buffer.from([0xff, 0x00]));
    await visitor.waitForCount(isError('CHAT_ERR_BAD_FRAME'), 2);
    visitor.send({ type: 'send', clientMsgId: 'ok', text: 'still here' });
    await visitor.waitFor(isMessage(1));
    // Over maxPayload: ws closes with 1009 unread; other sockets are untouched.
    const other = await connect(await harness.visitorToken('t1', 'C5'));
    other.sendRaw('x'.repeat(9000));
    expect((await other.closed).code).toBe(1009);
    visitor.send({ type: 'send', clientMsgId: 'ok2', text: 'and still' });
    await visitor.waitFor(isMessage(2));
  });

  it('closes upgrades with bad tokens (4401) and agents without an agent role (4403), and keeps serving others', async () => {
    await start();
    const cases: Array<[string | undefined, number, string]> = [
      [undefined, 4401, 'missing token'],
      ['garbage', 4401, 'malformed token'],
      [await harness.agentToken('t1', 'ann', ['viewer']), 4403, 'the chat needs one of agent, supervisor'],
      [await harness.agentToken('t9', 'ann'), 4403, 'tenant "t9" is not served'],
      [await harness.visitorToken('t9', 'C1'), 4403, 'tenant "t9" is not served'],
      [(await harness.visitorToken('t1', 'C1')).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 4401, 'visitor token'],
    ];
    for (const [token, code, text] of cases) {
      const client = await connect(token);
      const error = await client.waitFor((f) => f.type === 'error');
      expect(error.message).toContain(text);
      expect((await client.closed).code).toBe(code);
    }
    const fine = await connect(await harness.visitorToken('t1', 'C1'));
    fine.send({ type: 'send', clientMsgId: 'm', text: 'hi' });
    await fine.waitFor(isMessage(1));
    expect(await harness.metrics.getSingleMetricAsString('unics_chat_connections_refused_total')).toContain('code="CHAT_ERR_UNAUTHORIZED"} 3');
  });

  it('keeps tenants and visitors apart', async () => {
    await start();
    const visitor = await connect(await harness.visitorToken('t1', 'C6'));
    visitor.send({ type: 'send', clientMsgId: 'm', text: 'private' });
    const { conversationId } = await visitor.waitFor(isMessage(1));
    const otherTenantAgent = await connect(await harness.agentToken('t2', 'eve'));
    otherTenantAgent.send({ type: 'resume', conversationId, afterSeq: 0 });
    otherTenantAgent.send({ type: 'history', conversationId });
    otherTenantAgent.send({ type: 'send', conversationId, clientMsgId: 'e', text: 'hi from t2' });
    otherTenantAgent.send({ type: 'ack', conversationId, seq: 1 });
    const errors = await otherTenantAgent.waitForCount(isError('CHAT_ERR_NOT_FOUND'), 4);
    expect(errors.map((e) => e.conversationId)).toEqual([conversationId, conversationId, conversationId, conversationId]);
    const sameTenantOtherVisitor = await connect(await harness.visitorToken('t1', 'C7'));
    sameTenantOtherVisitor.send({ type: 'resume', conversationId, afterSeq: 0 });
    sameTenantOtherVisitor.send({ type: 'send', conversationId, clientMsgId: 'x', text: 'me too' });
    await sameTenantOtherVisitor.waitForCount(isError('CHAT_ERR_FORBIDDEN'), 2);
    // A visitor token of the same customer id in another tenant starts its own conversation.
    const twin = await connect(await harness.visitorToken('t2', 'C6'));
    twin.send({ type: 'send', clientMsgId: 'm', text: 'other tenant' });
    expect((await twin.waitFor(isMessage(1))).conversationId).not.toBe(conversationId);
    expect(otherTenantAgent.frames.filter((f) => f.type === 'message')).toEqual([]);
    expect(sameTenantOtherVisitor.frames.filter((f) => f.type === 'message')).toEqual([]);
    expect((await harness.chat.store.entriesAfter('t1', conversationId as string, 0, 10)).map((e) => e.seq)).toEqual([1]);
  });

  it('rate-limits a flooding connection with error frames and still serves it afterwards', async () => {
    await start({ rateLimit: { perSecond: 5, burst: 5 } });
    const visitor = await connect(await harness.visitorToken('t1', 'C8'));
    for (let i = 0; i < 12; i++) visitor.send({ type: 'send', clientMsgId: `f${i}`, text: `flood ${i}` });
    await visitor.waitForCount(isError('CHAT_ERR_RATE_LIMITED'), 7);
    await visitor.waitForCount(isMessage(), 5);
    await new Promise((r) => setTimeout(r, 400));
    visitor.send({ type: 'send', clientMsgId: 'later', text: 'later' });
    expect(await visitor.waitFor((f) => f.type === 'message' && f.clientMsgId === 'later')).toMatchObject({ seq: 6 });
  });

  it('closes a client that does not read its socket as a slow consumer (error frame, 1013), and others go on', async () => {
    await start({ maxBufferedBytes: 256 * 1024, maxTextChars: 60_000, maxFrameBytes: 64 * 1024, rateLimit: { perSecond: 10_000, burst: 10_000 } });
    const visitor = await connect(await harness.visitorToken('t1', 'C9'));
    visitor.send({ type: 'send', clientMsgId: 'm0', text: 'start' });
    const { conversationId } = await visitor.waitFor(isMessage(1));
    const stuck = await connect(await harness.agentToken('t1', 'slow'));
    stuck.send({ type: 'resume', conversationId, afterSeq: 0 });
    await stuck.waitFor(isMessage(1));
    const reasons: string[] = [];
    harness.chat.events.on('chat.connection_closed', ({ reason }) => void reasons.push(reason));
    // The stuck client stops reading: the kernel's buffers fill, then the server's send buffer grows past the limit.
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const text = 'y'.repeat(50_000);
    for (let i = 1; i <= 600 && !reasons.includes('slow_consumer'); i++) {
      visitor.send({ type: 'send', conversationId, clientMsgId: `s${i}`, text });
      if (i % 10 === 0) await visitor.waitFor(isMessage(i + 1), 20_000);
    }
    await expect.poll(() => reasons, { timeout: 20_000 }).toEqual(['slow_consumer']);
    expect(await harness.metrics.getSingleMetricAsString('unics_chat_frames_rejected_total')).toContain('code="CHAT_ERR_SLOW_CONSUMER"} 1');
    // It was cut off: the error frame and the 1013 close were queued behind what it did not read.
    (stuck.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect([1013, 1006]).toContain((await stuck.closed).code);
    expect(harness.chat.sessions.size).toBe(1);
    visitor.send({ type: 'send', conversationId, clientMsgId: 'after', text: 'after' });
    await visitor.waitFor((f) => f.type === 'message' && f.clientMsgId === 'after');
  }, 60_000);

  it('terminates a connection that stops answering pings (one sweep for all sockets)', async () => {
    await start({ heartbeatIntervalMs: 150 });
    const live = await connect(await harness.visitorToken('t1', 'C11'));
    const dead = await connect(await harness.visitorToken('t1', 'C12'));
    const reasons: string[] = [];
    harness.chat.events.on('chat.connection_closed', ({ reason }) => void reasons.push(reason));
    (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // reads no ping, so answers none
    await expect.poll(() => reasons, { timeout: 5000 }).toEqual(['dead']);
    await new Promise((r) => setTimeout(r, 500)); // several more sweeps: the live client answers each ping
    expect(harness.chat.sessions.size).toBe(1);
    live.send({ type: 'send', clientMsgId: 'm', text: 'still here' });
    await live.waitFor(isMessage(1));
  });

  it('closes every socket with 1001 when the chat shuts down', async () => {
    await start();
    const a = await connect(await harness.visitorToken('t1', 'C10'));
    const b = await connect(await harness.agentToken('t1', 'ann'));
    await harness.chat.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
  });
});
