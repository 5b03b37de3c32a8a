// Integration tier: chat instances on the stack's PostgreSQL (one random schema) and Redis (random channel prefix),
// with real sockets: delivery across instances, no history lost over a restart, and a burst with reconnects.
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { connectChat, type ChatTestClient, type ReceivedFrame } from './test-support/chat-client.ts';
import { startChatHarness, type ChatHarness } from './test-support/chat-harness.ts';
import { createPgSchemas } from './test-support/pg-schemas.ts';
import { createRedisFanouts } from './test-support/redis-fanouts.ts';
import { createResilientClient, type ResilientClient } from './test-support/resilient-client.ts';

const env = inject('stackEnv');
const schemas = createPgSchemas(env.DATABASE_URL);
const fanouts = createRedisFanouts(env.REDIS_URL);
afterAll(async () => {
  await fanouts.close();
  await schemas.close();
});

const harnesses: ChatHarness[] = [];
const clients: ChatTestClient[] = [];
const instance = async (schema: string, limits?: Parameters<typeof startChatHarness>[0]['limits']) => {
  const h = await startChatHarness({ db: schemas.database(schema, 10), fanout: fanouts.create(), ...(limits ? { limits } : {}) });
  harnesses.push(h);
  return h;
};
const connect = async (url: string, token: string) => {
  const c = await connectChat(url, token);
  clients.push(c);
  return c;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

const isMessage = (seq: number) => (f: ReceivedFrame) => f.type === 'message' && f.seq === seq && f.duplicate !== true;

describe('chat across instances (PostgreSQL, Redis)', () => {
  it('delivers across two instances both ways', async () => {
    const schema = schemas.database().schema;
    const [a, b] = [await instance(schema), await instance(schema)];
    const visitor = await connect(a.url, await a.visitorToken('t1', 'C1'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'hello from A' });
    const first = await visitor.waitFor(isMessage(1));
    const agent = await connect(b.url, await b.agentToken('t1', 'ann'));
    agent.send({ type: 'resume', conversationId: first.conversationId, afterSeq: 0 });
    expect(await agent.waitFor(isMessage(1))).toEqual(first);
    agent.send({ type: 'send', conversationId: first.conversationId, clientMsgId: 'a1', text: 'hello from B' });
    expect(await visitor.waitFor(isMessage(2))).toMatchObject({ from: { role: 'agent', id: 'ann' }, text: 'hello from B' });
    for (let i = 0; i < 20; i++) visitor.send({ type: 'send', conversationId: first.conversationId, clientMsgId: `v-${i}`, text: `${i}` });
    await agent.waitFor(isMessage(22));
    const seqs = agent.frames.filter((f) => f.type === 'message').map((f) => f.seq);
    expect(seqs).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
  });

  it('re-reads from the store what was published while the Redis subscription was down', async () => {
    const schema = schemas.database().schema;
    const [a, b] = [await instance(schema), await instance(schema)];
    const subscriberOfB = fanouts.subscribers.at(-1)!;
    const visitor = await connect(a.url, await a.visitorToken('t1', 'C3'));
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'one' });
    const { conversationId } = await visitor.waitFor(isMessage(1));
    const agent = await connect(b.url, await b.agentToken('t1', 'ann'));
    agent.send({ type: 'resume', conversationId, afterSeq: 0 });
    await agent.waitFor(isMessage(1));
    // B's subscription drops; what A publishes meanwhile never reaches B through Redis.
    const back = new Promise<void>((resolve) => subscriberOfB.once('ready', () => resolve()));
    subscriberOfB.disconnect(true);
    for (let i = 2; i <= 4; i++) {
      visitor.send({ type: 'send', conversationId, clientMsgId: `v${i}`, text: `message ${i}` });
      await visitor.waitFor(isMessage(i));
    }
    await back;
    // No new message comes after the outage: only the resync can bring 2-4 to the agent.
    await agent.waitFor(isMessage(4));
    expect(agent.frames.filter((f) => f.type === 'message').map((f) => f.seq)).toEqual([1, 2, 3, 4]);
  });

  it('loses no history when an instance restarts', async () => {
    const schema = schemas.database().schema;
    const first = await instance(schema);
    const token = await first.visitorToken('t1', 'C2');
    const visitor = await connect(first.url, token);
    for (let i = 1; i <= 5; i++) {
      visitor.send({ type: 'send', clientMsgId: `m${i}`, text: `message ${i}` });
      await visitor.waitFor(isMessage(i));
    }
    const conversationId = visitor.frames[0]?.conversationId;
    await first.close();
    expect((await visitor.closed).code).toBe(1001);
    harnesses.splice(harnesses.indexOf(first), 1);
    const second = await instance(schema);
    expect(second.chat.migrations.applied).toEqual([]);
    const back = await connect(second.url, token);
    back.send({ type: 'resume', conversationId, afterSeq: 0 });
    await back.waitFor(isMessage(5));
    back.send({ type: 'send', conversationId, clientMsgId: 'm6', text: 'after the restart' });
    await back.waitFor(isMessage(6));
    expect(back.frames.filter((f) => f.type === 'message').map((f) => f.text)).toEqual(['message 1', 'message 2', 'message 3', 'message 4', 'message 5', 'after the restart']);
  });

  it('200 clients reconnecting at random during a burst of 20,000 messages get every message exactly once, in order', async () => {
    const schema = schemas.database().schema;
    const limits = { rateLimit: { perSecond: 100_000, burst: 100_000 } };
    const nodes = [await instance(schema, limits), await instance(schema, limits)];
    const urlOf = () => (nodes[Math.floor(Math.random() * nodes.length)] as ChatHarness).url;
    const CONVERSATIONS = Number(process.env.CHAT_BURST_CONVERSATIONS ?? 100);
    const PER_SIDE = Number(process.env.CHAT_BURST_PER_SIDE ?? 100); // messages each visitor and each agent sends: 100 × 2 × 100 = 20,000
    const WINDOW = 8; // unconfirmed messages a client keeps in flight
    const visitors: ResilientClient[] = [];
    const agents: ResilientClient[] = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const v = createResilientClient(`V${i}`, await nodes[0]!.visitorToken('t1', `V${i}`));
      await v.connect(urlOf());
      v.send(`V${i}-0`, 'hello');
      visitors.push(v);
    }
    await Promise.all(visitors.map((v) => v.waitUntil(1, 30_000)));
    for (let i = 0; i < CONVERSATIONS; i++) {
      const a = createResilientClient(`A${i}`, await nodes[0]!.agentToken('t1', `A${i}`), visitors[i]!.conversationId);
      await a.connect(urlOf());
      agents.push(a);
    }
    const t0 = Date.now();
    const run = async (client: ResilientClient, first: number) => {
      let next = first;
      while (next < PER_SIDE) {
        while (next < PER_SIDE && client.pending.size < WINDOW) {
          client.send(`${client.name}-${next}`, `${client.name} says ${next}`);
          next++;
        }
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 10));
        if (Math.random() < 0.02) await client.reconnect(urlOf());
      }
    };
    const progress = setInterval(() => {
      const all = [...visitors, ...agents];
      console.log(`t=${Date.now() - t0} lastSeq sum=${all.reduce((n, c) => n + c.lastSeq, 0)} received=${all.reduce((n, c) => n + c.received.length, 0)} pending=${all.reduce((n, c) => n + c.pending.size, 0)} reconnects=${all.reduce((n, c) => n + c.reconnects, 0)}`);
    }, 3000);
    await Promise.all([...visitors.map((v) => run(v, 1)), ...agents.map((a) => run(a, 0))]);
    clearInterval(progress);
    const total = PER_SIDE * 2;
    await Promise.all([...visitors, ...agents].map((c) => c.waitUntil(total, 60_000)));
    const elapsedMs = Date.now() - t0;

    const reconnects = [...visitors, ...agents].reduce((n, c) => n + c.reconnects, 0);
    expect(reconnects).toBeGreaterThan(CONVERSATIONS); // about one per client or more
    for (const c of [...visitors, ...agents]) {
      // Every seq exactly once, in order, over the client's life and all its connections.
      expect(c.received, c.name).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
    const store = nodes[0]!.chat.store;
    for (const v of visitors) {
      const entries = await store.entriesAfter('t1', v.conversationId!, 0, 1000);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(new Set(entries.map((e) => `${e.from.id}/${e.clientMsgId}`)).size).toBe(total);
    }
    console.log(`chat burst: ${CONVERSATIONS * total} messages, ${reconnects} reconnects, ${elapsedMs} ms`);
    await Promise.all([...visitors, ...agents].map((c) => c.close()));
  }, 300_000); // ~100 s alone on 2 shared cores (about 10,000 reconnects, each resumed from the store); CI runs other files beside it
});
