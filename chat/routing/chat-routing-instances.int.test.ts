// Routing across two chat instances on the stack's PostgreSQL (one schema) and Redis (random prefix), with real
// sockets: the visitor on one instance, agents on the other; assignment, notes and release cross instances.
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { createLogger, systemClock } from '../../common/index.ts';
import { connectChat, type ChatTestClient, type ReceivedFrame } from '../test-support/chat-client.ts';
import { startChatHarness, type ChatHarness } from '../test-support/chat-harness.ts';
import { createPgSchemas } from '../test-support/pg-schemas.ts';
import { createRedisFanouts } from '../test-support/redis-fanouts.ts';
import { createChatRouting, type ChatRouting } from './create-chat-routing.ts';

const env = inject('stackEnv');
const schemas = createPgSchemas(env.DATABASE_URL);
const fanouts = createRedisFanouts(env.REDIS_URL);
afterAll(async () => {
  await fanouts.close();
  await schemas.close();
});

const running: Array<{ harness: ChatHarness; routing: ChatRouting }> = [];
const clients: ChatTestClient[] = [];
async function instance(schema: string, name: string): Promise<ChatHarness> {
  const db = schemas.database(schema, 5);
  const fanout = fanouts.create();
  const routing = createChatRouting({ db, fanout, clock: systemClock, log: createLogger({ level: 'silent' }), instanceId: name, options: { notifyDelayMs: 5 } });
  const harness = await startChatHarness({ db, fanout, policy: routing.policy, handlers: routing.handlers, migrations: routing.migrations, wrapStore: routing.wrapStore });
  routing.attach(harness.chat.events);
  running.push({ harness, routing });
  return harness;
}
const connect = async (url: string, token: string) => {
  const c = await connectChat(url, token);
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const { harness, routing } of running.splice(0)) {
    await routing.stop();
    await harness.close();
  }
});

const ofType = (type: string) => (f: ReceivedFrame) => f.type === type;

describe('routing across instances (PostgreSQL, Redis)', () => {
  it('a visitor on one instance is served by an agent on the other; notes stay with agents; release crosses back', async () => {
    const schema = schemas.database().schema;
    const a = await instance(schema, 'A');
    const b = await instance(schema, 'B');
    const visitor = await connect(b.url, await b.visitorToken('t1', 'C1'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'hello from B' });
    const { conversationId } = await visitor.waitFor(ofType('queue'));

    const ann = await connect(a.url, await a.agentToken('t1', 'ann'));
    expect(await ann.waitFor(ofType('assigned'))).toMatchObject({ conversationId, agentId: 'ann' });
    expect(await visitor.waitFor(ofType('assigned'))).toMatchObject({ conversationId, agentId: 'ann' });
    ann.send({ type: 'resume', conversationId, afterSeq: 0 });
    await ann.waitFor((f) => f.type === 'message' && f.seq === 1);
    ann.send({ type: 'note', conversationId, clientMsgId: 'n1', text: 'internal: refund approved' });
    await ann.waitFor(ofType('note'));
    ann.send({ type: 'send', conversationId, clientMsgId: 'a1', text: 'hello from A' });
    await visitor.waitFor((f) => f.type === 'message' && f.seq === 2);
    ann.send({ type: 'typing', conversationId, typing: true });
    await visitor.waitFor(ofType('typing'));
    expect(visitor.frames.filter((f) => JSON.stringify(f).includes('internal'))).toEqual([]);

    // Ann goes offline on A: the visitor on B hears they wait again; bob, connecting to B, gets the conversation.
    ann.send({ type: 'presence', status: 'offline' });
    expect(await ann.waitFor(ofType('presence'))).toEqual({ type: 'presence', status: 'offline', released: [conversationId] });
    await visitor.waitForCount(ofType('queue'), 2);
    const bob = await connect(b.url, await b.agentToken('t1', 'bob'));
    expect(await bob.waitFor(ofType('assigned'))).toMatchObject({ conversationId, agentId: 'bob' });
    expect((await visitor.waitForCount(ofType('assigned'), 2)).at(-1)).toMatchObject({ agentId: 'bob' });
  });
});
