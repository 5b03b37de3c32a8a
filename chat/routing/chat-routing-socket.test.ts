// Routing and agent tools over real WebSockets (loopback, PGlite): the chat core with createChatRouting wired in as
// the app wires it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, systemClock } from '../../common/index.ts';
import { createLocalFanout } from '../fanout/chat-fanout.ts';
import { connectChat, type ChatTestClient, type ReceivedFrame } from '../test-support/chat-client.ts';
import { startChatHarness, type ChatHarness } from '../test-support/chat-harness.ts';
import { createSharedPglite, PGLITE_HOOK_TIMEOUT_MS } from '../test-support/shared-pglite.ts';
import { createChatRouting, type ChatRouting } from './create-chat-routing.ts';
import type { RoutingServiceOptions } from './routing-service.ts';

const pglite = createSharedPglite();
beforeAll(() => pglite.database(), PGLITE_HOOK_TIMEOUT_MS);
afterAll(() => pglite.close());

let harness: ChatHarness;
let routing: ChatRouting;
const clients: ChatTestClient[] = [];
async function start(options: Partial<RoutingServiceOptions> = {}) {
  const db = await pglite.database();
  const fanout = createLocalFanout();
  routing = createChatRouting({ db, fanout, clock: systemClock, log: createLogger({ level: 'silent' }), instanceId: 'i1', options: { notifyDelayMs: 5, ...options } });
  harness = await startChatHarness({ db, fanout, policy: routing.policy, handlers: routing.handlers, migrations: routing.migrations, wrapStore: routing.wrapStore });
  routing.attach(harness.chat.events);
}
const connect = async (token: string) => {
  const client = await connectChat(harness.url, token);
  clients.push(client);
  return client;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await routing?.stop();
  await harness?.close();
});

const ofType = (type: string, extra: Record<string, unknown> = {}) => (f: ReceivedFrame) => f.type === type && Object.entries(extra).every(([k, v]) => f[k] === v);

describe('routing over WebSocket (PGlite, loopback)', () => {
  it('queues the visitor, assigns the agent who comes online, and carries the conversation both ways', async () => {
    await start();
    const visitor = await connect(await harness.visitorToken('t1', 'C000001'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'Where is my order?' });
    const queued = await visitor.waitFor(ofType('queue'));
    expect(queued).toMatchObject({ position: 1 });
    const conversationId = queued.conversationId as string;

    const agent = await connect(await harness.agentToken('t1', 'ann'));
    expect(await agent.waitFor(ofType('assigned'))).toEqual({ type: 'assigned', conversationId, customerId: 'C000001', agentId: 'ann' });
    expect(await visitor.waitFor(ofType('assigned'))).toEqual({ type: 'assigned', conversationId, customerId: 'C000001', agentId: 'ann' });
    agent.send({ type: 'resume', conversationId, afterSeq: 0 });
    await agent.waitFor(ofType('message', { seq: 1 }));
    agent.send({ type: 'send', conversationId, clientMsgId: 'a1', text: 'It ships today.' });
    expect(await visitor.waitFor(ofType('message', { seq: 2 }))).toMatchObject({ from: { role: 'agent', id: 'ann' }, text: 'It ships today.' });

    // Another agent may neither read nor write it.
    const bob = await connect(await harness.agentToken('t1', 'bob'));
    bob.send({ type: 'send', conversationId, clientMsgId: 'b1', text: 'hi' });
    expect(await bob.waitFor(ofType('error'))).toMatchObject({ code: 'CHAT_ERR_FORBIDDEN' });
  });

  it('notes reach the agent and never the visitor; typing and retract reach both', async () => {
    await start();
    const visitor = await connect(await harness.visitorToken('t1', 'C000002'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'hello' });
    const { conversationId } = await visitor.waitFor(ofType('queue'));
    const agent = await connect(await harness.agentToken('t1', 'ann'));
    await agent.waitFor(ofType('assigned'));
    agent.send({ type: 'resume', conversationId, afterSeq: 0 });
    await agent.waitFor(ofType('message', { seq: 1 }));
    agent.send({ type: 'note', conversationId, clientMsgId: 'n1', text: 'gold customer, offer a voucher' });
    expect(await agent.waitFor(ofType('note'))).toMatchObject({ noteSeq: 1, afterSeq: 1, text: 'gold customer, offer a voucher' });
    agent.send({ type: 'typing', conversationId, typing: true });
    await visitor.waitFor(ofType('typing'));
    agent.send({ type: 'send', conversationId, clientMsgId: 'a1', text: 'wrong answer' });
    await visitor.waitFor(ofType('message', { seq: 2 }));
    agent.send({ type: 'retract', conversationId, seq: 2 });
    expect(await visitor.waitFor(ofType('retracted'))).toMatchObject({ conversationId, seq: 2, by: { role: 'agent', id: 'ann' } });
    // The visitor heard everything above but no note, and a fresh resume of theirs holds none either.
    expect(visitor.frames.filter((f) => f.type === 'note' || JSON.stringify(f).includes('voucher'))).toEqual([]);
    const again = await connect(await harness.visitorToken('t1', 'C000002'));
    again.send({ type: 'resume', conversationId, afterSeq: 0 });
    // The retracted message is still there, marked, without its text; the one before it is untouched.
    expect(await again.waitFor(ofType('message', { seq: 2 }))).toMatchObject({ text: '', retracted: { by: { role: 'agent', id: 'ann' } } });
    expect(again.frames.find((f) => f.type === 'message' && f.seq === 1)).toMatchObject({ text: 'hello' });
    expect(again.frames.find((f) => f.type === 'message' && f.seq === 1)?.retracted).toBeUndefined();
    again.send({ type: 'history', conversationId });
    const history = await again.waitFor(ofType('history'));
    expect((history.entries as Array<{ seq: number; text: string; retracted?: unknown }>).map((e) => [e.seq, e.text, e.retracted !== undefined])).toEqual([
      [1, 'hello', false],
      [2, '', true],
    ]);
    again.send({ type: 'retractions', conversationId });
    expect(await again.waitFor(ofType('retractions'))).toMatchObject({ entries: [{ seq: 2 }] });
    expect(again.frames.filter((f) => JSON.stringify(f).includes('voucher'))).toEqual([]);
  });

  it('two agents accepting at once: one gets it, the other CHAT_ERR_ALREADY_ASSIGNED', async () => {
    await start({ autoAssign: false });
    const ann = await connect(await harness.agentToken('t1', 'ann'));
    const bob = await connect(await harness.agentToken('t1', 'bob'));
    await routing.idle();
    const visitor = await connect(await harness.visitorToken('t1', 'C000003'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'hi' });
    const { conversationId } = await visitor.waitFor(ofType('queue'));
    await ann.waitFor((f) => f.type === 'waiting' && (f.entries as Array<{ conversationId: string }>).some((e) => e.conversationId === conversationId));
    ann.send({ type: 'accept', conversationId });
    bob.send({ type: 'accept', conversationId });
    const outcome = (c: ChatTestClient) => c.waitFor((f) => f.type === 'assigned' || (f.type === 'error' && f.code === 'CHAT_ERR_ALREADY_ASSIGNED'));
    const results = await Promise.all([outcome(ann), outcome(bob)]);
    expect(results.map((f) => f.type).sort()).toEqual(['assigned', 'error']);
    const winner = results[0]!.type === 'assigned' ? 'ann' : 'bob';
    expect(await visitor.waitFor(ofType('assigned'))).toMatchObject({ agentId: winner });
  });

  it('an agent whose socket closes releases the conversation: the visitor is queued again, then served by the next agent', async () => {
    await start();
    const visitor = await connect(await harness.visitorToken('t1', 'C000004'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'hi' });
    const { conversationId } = await visitor.waitFor(ofType('queue'));
    const ann = await connect(await harness.agentToken('t1', 'ann'));
    await ann.waitFor(ofType('assigned'));
    await ann.close();
    expect((await visitor.waitForCount(ofType('queue'), 2)).at(-1)).toMatchObject({ conversationId, position: 1 });
    const bob = await connect(await harness.agentToken('t1', 'bob'));
    expect(await bob.waitFor(ofType('assigned'), 3000, 'bob assigned')).toMatchObject({ conversationId, agentId: 'bob' });
    bob.send({ type: 'close', conversationId });
    expect(await visitor.waitFor(ofType('closed'), 3000, 'closed')).toMatchObject({ conversationId, by: { role: 'agent', id: 'bob' } });
    visitor.send({ type: 'send', conversationId, clientMsgId: 'v2', text: 'still there?' });
    expect(await visitor.waitFor(ofType('error'), 3000, 'error')).toMatchObject({ code: 'CHAT_ERR_CONVERSATION_CLOSED' });
  });

  it('an idle visitor socket costs no fan-out topic; an agent listens to theirs from the start', async () => {
    await start();
    await connect(await harness.visitorToken('t1', 'C000009'));
    await connect(await harness.visitorToken('t1', 'C000010'));
    expect(harness.chat.fanout.topicCount).toBe(0);
    const agent = await connect(await harness.agentToken('t1', 'ann'));
    await agent.waitFor(ofType('waiting'));
    expect(harness.chat.fanout.topicCount).toBe(1);
  });
});
