// The routing store on the stack's PostgreSQL: the shared contract, then what only a real server with several
// connections can show — many claimers racing on several pools (as several instances would) never assign one
// conversation twice and never put an agent over capacity, also while agents go offline mid-race.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChatDatabase } from '../db/chat-database.ts';
import { createPgSchemas } from '../test-support/pg-schemas.ts';
import { createRoutingClaims, type Claimed } from './routing-claims.ts';
import { createRoutingPresence } from './routing-presence.ts';
import { createRoutingFixture, type RoutingFixture } from './test-support/routing-fixture.ts';
import { describeRoutingStore } from './test-support/routing-store-contract.ts';

const pgSchemas = createPgSchemas(inject('stackEnv').DATABASE_URL);
afterAll(() => pgSchemas.close());

describeRoutingStore('PostgreSQL', async () => pgSchemas.database());

describe('routing claims under contention (PostgreSQL, 3 pools as 3 instances)', () => {
  const T = 'tenant-race';
  const AGENTS = 20;
  const CAPACITY = 3;
  const CONVERSATIONS = 150;
  let f: RoutingFixture;
  let instances: ChatDatabase[];
  const enqueuedAt = new Map<string, number>();

  beforeAll(async () => {
    const main = pgSchemas.database();
    f = await createRoutingFixture(main);
    instances = [1, 2, 3].map(() => pgSchemas.database(main.schema, 5));
    for (let i = 0; i < CONVERSATIONS; i++) {
      f.clock.advance(1);
      enqueuedAt.set(await f.newConversation(T, `C${i}`), f.clock.now());
    }
    for (let a = 0; a < AGENTS; a++) await f.online(T, `agent-${a}`, { capacity: CAPACITY });
  });

  /** Every assigned conversation is held by exactly one agent, and every agent's count matches and fits. */
  async function expectConsistent(): Promise<Map<string, number>> {
    const { rows: agents } = await f.db.query<{ agent_id: string; status: string; active: number; capacity: number; held: string }>(
      `select a.agent_id, a.status, a.active, a.capacity,
              (select count(*) from routing_conversations c where c.tenant = a.tenant and c.agent_id = a.agent_id and c.state = 'assigned')::text as held
         from routing_agents a where a.tenant = $1`,
      [T],
    );
    const held = new Map<string, number>();
    for (const a of agents) {
      expect(Number(a.held), `agent ${a.agent_id} holds ${a.held} but counts ${a.active}`).toBe(a.active);
      expect(a.active).toBeLessThanOrEqual(a.capacity);
      if (a.status === 'offline') expect(a.active).toBe(0);
      held.set(a.agent_id, a.active);
    }
    return held;
  }

  it('many concurrent accepts and dispatches: no conversation twice, no agent over capacity', async () => {
    const wins: Claimed[] = [];
    let refused = 0;
    // Each agent tries to accept the head of the queue (everyone races for the same few rows) until full or empty;
    // meanwhile every instance dispatches in a loop.
    const claimer = async (a: number) => {
      const claims = createRoutingClaims({ db: instances[a % 3]!, clock: f.clock });
      for (let round = 0; round < 40; round++) {
        const head = (await f.queries.queue(T)).slice(0, 3);
        if (head.length === 0) return;
        const pick = head[(a + round) % head.length]!;
        const r = await claims.accept(T, `agent-${a}`, pick.conversationId);
        if (r.ok) wins.push(r);
        else if (r.reason === 'agent_at_capacity') return;
        else refused++;
      }
    };
    const dispatcher = async (i: number) => {
      const claims = createRoutingClaims({ db: instances[i]!, clock: f.clock });
      for (let round = 0; round < 15; round++) wins.push(...(await claims.dispatch(T, 7)));
    };
    await Promise.all([...Array.from({ length: AGENTS }, (_, a) => claimer(a)), ...[0, 1, 2].map(dispatcher)]);

    const perConversation = new Map<string, string[]>();
    for (const w of wins) perConversation.set(w.conversationId, [...(perConversation.get(w.conversationId) ?? []), w.agentId]);
    const doubles = [...perConversation].filter(([, agents]) => agents.length > 1);
    expect(doubles).toEqual([]);
    // Every seat is taken (60 seats < 150 conversations), by exactly the claims that said they won.
    expect(wins.length).toBe(AGENTS * CAPACITY);
    const held = await expectConsistent();
    expect([...held.values()].every((n) => n === CAPACITY)).toBe(true);
    for (const w of wins) expect((await f.queries.conversation(T, w.conversationId))?.agentId).toBe(w.agentId);
    // The race was real: claimers lost to each other.
    expect(refused).toBeGreaterThan(0);
  });

  it('agents going offline mid-race release everything they held, and no claim lands on an offline agent', async () => {
    const staying = Array.from({ length: AGENTS / 2 }, (_, i) => `agent-${i * 2 + 1}`);
    const leaving = Array.from({ length: AGENTS / 2 }, (_, i) => `agent-${i * 2}`);
    // The staying agents finish their conversations: their seats are free for the race.
    let closed = 0;
    for (const a of staying) {
      for (const c of await f.queries.assignedTo(T, a)) {
        expect((await f.claims.close(T, c)).ok).toBe(true);
        closed++;
      }
    }
    const heldBefore = new Map<string, string[]>();
    for (const a of leaving) heldBefore.set(a, await f.queries.assignedTo(T, a));

    const released: string[] = [];
    const goOffline = async (agentId: string, i: number) => {
      const presence = createRoutingPresence({ db: instances[i % 3]!, clock: f.clock, instanceId: `i${i % 3}` });
      released.push(...((await presence.setStatus(T, agentId, 'offline'))?.conversationIds ?? []));
    };
    const dispatcher = async (i: number) => {
      const claims = createRoutingClaims({ db: instances[i]!, clock: f.clock });
      for (let round = 0; round < 20; round++) await claims.dispatch(T, 10);
    };
    await Promise.all([...leaving.map(goOffline), ...[0, 1, 2].map(dispatcher)]);

    // Exactly what the leaving agents held went back (they were full, so nothing new reached them meanwhile).
    expect(released.sort()).toEqual([...heldBefore.values()].flat().sort());
    const held = await expectConsistent();
    for (const a of leaving) expect(held.get(a)).toBe(0);
    for (const a of staying) expect(held.get(a)).toBe(CAPACITY);
    const queue = await f.queries.queue(T);
    expect(queue.length).toBe(CONVERSATIONS - closed - staying.length * CAPACITY);
    // Released conversations still waiting are in front (priority 1) and kept their original wait.
    for (const e of queue) {
      expect(e.priority).toBe(released.includes(e.conversationId) ? 1 : 0);
      expect(e.enqueuedAtMs).toBe(enqueuedAt.get(e.conversationId));
    }
  });
});
