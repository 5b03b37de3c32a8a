// The routing store's behaviour, written once and run on PGlite (unit tier) and on the stack's PostgreSQL
// (integration tier): same SQL, same answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChatDatabase } from '../../db/chat-database.ts';
import { createRoutingFixture, type RoutingFixture } from './routing-fixture.ts';

export function describeRoutingStore(label: string, openDb: () => Promise<ChatDatabase>): void {
  describe(`routing store (${label})`, () => {
    // One database for the file (PGlite takes seconds to start); each test works in a tenant of its own.
    let f: RoutingFixture;
    let T = '';
    let tenants = 0;
    beforeAll(async () => {
      f = await createRoutingFixture(await openDb());
    }, 120_000);
    afterAll(async () => {
      await f.db.close().catch(() => {}); // a pooled database may be closed by its owner as well
    });
    beforeEach(() => {
      T = `tenant-${++tenants}`;
    });

    const closeCore = (id: string) => f.db.query(`update conversations set state = 'closed' where id = $1`, [id]);

    it('accept: one agent gets a queued conversation; a second claim is refused and names the holder', async () => {
      const c = await f.newConversation(T, 'C1');
      await f.online(T, 'alice');
      await f.online(T, 'bob');
      expect(await f.claims.accept(T, 'alice', c)).toEqual({ ok: true, conversationId: c, customerId: 'C1', agentId: 'alice' });
      expect(await f.claims.accept(T, 'bob', c)).toEqual({ ok: false, reason: 'not_queued', agentId: 'alice' });
      expect((await f.queries.agent(T, 'alice'))?.active).toBe(1);
      expect((await f.queries.agent(T, 'bob'))?.active).toBe(0);
      expect(await f.queries.assignedTo(T, 'alice')).toEqual([c]);
    });

    it('accept: refused beyond capacity, for a missing skill or language, when offline, and across tenants', async () => {
      const [c1, c2, c3] = [await f.newConversation(T, 'C1'), await f.newConversation(T, 'C2'), await f.newConversation(T, 'C3', { skill: 'billing' })];
      const c4 = await f.newConversation(T, 'C4', { language: 'de' });
      await f.online(T, 'alice', { capacity: 1 });
      await f.online(T, 'bob', { skills: ['general'], languages: ['en'] });
      expect((await f.claims.accept(T, 'alice', c1)).ok).toBe(true);
      expect(await f.claims.accept(T, 'alice', c2)).toEqual({ ok: false, reason: 'agent_at_capacity' });
      expect(await f.claims.accept(T, 'bob', c3)).toEqual({ ok: false, reason: 'agent_not_eligible' });
      expect(await f.claims.accept(T, 'bob', c4)).toEqual({ ok: false, reason: 'agent_not_eligible' });
      expect(await f.claims.accept(T, 'carol', c2)).toEqual({ ok: false, reason: 'agent_offline' });
      expect(await f.claims.accept(`${T}-other`, 'bob', c2)).toEqual({ ok: false, reason: 'conversation_not_found' });
      expect(await f.claims.accept(T, 'bob', 'not-a-uuid')).toEqual({ ok: false, reason: 'conversation_not_found' });
      // Nothing refused left a trace: c2 is still queued, bob's seats untouched.
      expect((await f.queries.conversation(T, c2))?.state).toBe('queued');
      expect((await f.queries.agent(T, 'bob'))?.active).toBe(0);
    });

    it('dispatch: serves the queue in order within capacity and prefers the customer\'s previous agent', async () => {
      await f.online(T, 'alice', { capacity: 1 });
      await f.online(T, 'bob', { capacity: 1 });
      const first = await f.newConversation(T, 'C1');
      expect(await f.claims.accept(T, 'bob', first)).toMatchObject({ ok: true });
      expect((await f.claims.close(T, first)).ok).toBe(true);
      await closeCore(first);
      f.clock.advance(1000);
      const other = await f.newConversation(T, 'C2');
      f.clock.advance(1000);
      const again = await f.newConversation(T, 'C1');
      f.clock.advance(1000);
      const third = await f.newConversation(T, 'C3');
      const assigned = await f.claims.dispatch(T);
      // C2 waited longest: the best free agent (alice; bob served later, so alice is idle longer). C1 comes back
      // to bob, who served them before. C3 waits: no seat left.
      expect(assigned.map((a) => [a.conversationId, a.agentId])).toEqual([
        [other, 'alice'],
        [again, 'bob'],
      ]);
      expect((await f.queries.queue(T)).map((e) => [e.conversationId, e.position])).toEqual([[third, 1]]);
      expect(await f.claims.dispatch(T)).toEqual([]);
    });

    it('queue positions follow the skill+language lanes', async () => {
      const a = await f.newConversation(T, 'C1', { language: 'en' });
      f.clock.advance(1);
      const b = await f.newConversation(T, 'C2', { language: 'de' });
      f.clock.advance(1);
      const c = await f.newConversation(T, 'C3', { language: 'en' });
      expect(Object.fromEntries((await f.queries.queue(T)).map((e) => [e.conversationId, e.position]))).toEqual({ [a]: 1, [b]: 1, [c]: 2 });
    });

    it('transfer to an agent moves the seat; to a skill puts it back at the front needing that skill', async () => {
      await f.online(T, 'alice');
      await f.online(T, 'bob', { capacity: 1 });
      const waiting = await f.newConversation(T, 'C0');
      f.clock.advance(5000);
      const c = await f.newConversation(T, 'C1');
      expect((await f.claims.accept(T, 'alice', c)).ok).toBe(true);
      expect(await f.claims.transferToAgent(T, 'bob', c, 'alice')).toEqual({ ok: false, reason: 'not_assigned_to_agent' });
      expect(await f.claims.transferToAgent(T, 'alice', c, 'alice')).toEqual({ ok: false, reason: 'same_agent' });
      expect(await f.claims.transferToAgent(T, 'alice', c, 'zed')).toEqual({ ok: false, reason: 'agent_offline' });
      expect(await f.claims.transferToAgent(T, 'alice', c, 'bob')).toMatchObject({ ok: true, agentId: 'bob' });
      expect([(await f.queries.agent(T, 'alice'))?.active, (await f.queries.agent(T, 'bob'))?.active]).toEqual([0, 1]);
      expect(await f.claims.transferToAgent(T, 'bob', c, 'alice')).toMatchObject({ ok: true, agentId: 'alice' });
      expect(await f.claims.transferToSkill(T, 'alice', c, 'billing')).toMatchObject({ ok: true, agentId: 'alice' });
      expect((await f.queries.agent(T, 'alice'))?.active).toBe(0);
      // Back in front of the older conversation (priority), keeping its original wait, now needing billing.
      const queue = await f.queries.queue(T);
      expect(queue.map((e) => [e.conversationId, e.skill, e.priority])).toEqual([
        [c, 'billing', 1],
        [waiting, null, 0],
      ]);
      expect(queue[0]?.enqueuedAtMs).toBe(queue[1]!.enqueuedAtMs + 5000);
      // Only an agent with the skill gets it.
      expect((await f.claims.dispatch(T)).map((a) => [a.conversationId, a.agentId])).toEqual([[waiting, 'alice']]);
      await f.online(T, 'carol', { skills: ['billing'] });
      expect((await f.claims.dispatch(T)).map((a) => [a.conversationId, a.agentId])).toEqual([[c, 'carol']]);
    });

    it('close frees the seat, is idempotent, and a closed conversation cannot be claimed', async () => {
      await f.online(T, 'alice', { capacity: 1 });
      const c = await f.newConversation(T, 'C1');
      await f.claims.accept(T, 'alice', c);
      expect(await f.claims.close(T, c)).toEqual({ ok: true, conversationId: c, customerId: 'C1', agentId: 'alice', changed: true });
      expect(await f.claims.close(T, c)).toEqual({ ok: true, conversationId: c, customerId: 'C1', agentId: null, changed: false });
      expect((await f.queries.agent(T, 'alice'))?.active).toBe(0);
      expect(await f.claims.accept(T, 'alice', c)).toEqual({ ok: false, reason: 'conversation_closed' });
    });

    it('going offline releases the agent\'s conversations to the front of the queue, keeping their wait', async () => {
      await f.online(T, 'alice', { capacity: 3 });
      const start = f.clock.now();
      const c1 = await f.newConversation(T, 'C1');
      f.clock.advance(10);
      const c2 = await f.newConversation(T, 'C2');
      await f.claims.accept(T, 'alice', c1);
      await f.claims.accept(T, 'alice', c2);
      f.clock.advance(60_000);
      const later = await f.newConversation(T, 'C3');
      const released = await f.presence.setStatus(T, 'alice', 'offline');
      expect(released).toEqual({ tenant: T, agentId: 'alice', conversationIds: [c1, c2].sort() });
      const queue = await f.queries.queue(T);
      expect(queue.map((e) => e.conversationId)).toEqual([c1, c2, later]);
      expect(queue[0]?.enqueuedAtMs).toBe(start);
      expect(await f.queries.agent(T, 'alice')).toMatchObject({ status: 'offline', active: 0 });
      expect(await f.claims.accept(T, 'alice', c1)).toEqual({ ok: false, reason: 'agent_offline' });
      // Offline twice releases nothing more.
      expect(await f.presence.setStatus(T, 'alice', 'offline')).toBeNull();
    });

    it('the last socket closing takes the agent offline; another open socket keeps them online', async () => {
      const s1 = await f.online(T, 'alice');
      const s2 = await f.online(T, 'alice');
      const c = await f.newConversation(T, 'C1');
      await f.claims.accept(T, 'alice', c);
      expect(await f.presence.disconnect(s1)).toBeNull();
      expect(await f.queries.assignedTo(T, 'alice')).toEqual([c]);
      expect(await f.presence.disconnect(s2)).toEqual({ tenant: T, agentId: 'alice', conversationIds: [c] });
      expect((await f.queries.conversation(T, c))?.state).toBe('queued');
      expect(await f.presence.disconnect(s2)).toBeNull();
    });

    it('sessions not refreshed expire (their instance died) and release their agents; refreshed ones stay', async () => {
      const dead = await f.online(T, 'alice');
      const alive = await f.online(T, 'bob');
      const c = await f.newConversation(T, 'C1');
      await f.claims.accept(T, 'alice', c);
      f.clock.advance(20_000);
      await f.presence.touch([alive]);
      f.clock.advance(20_000);
      const released = await f.presence.expireSessions(30_000);
      // Other tests' sessions in this database expire too; this tenant's are the point.
      expect(released.filter((r) => r.tenant === T)).toEqual([{ tenant: T, agentId: 'alice', conversationIds: [c] }]);
      expect((await f.queries.agent(T, 'bob'))?.status).toBe('online');
      expect(dead).not.toBe(alive);
    });

    it('adopts open conversations routing missed, with their creation time as their wait, once', async () => {
      const { rows } = await f.db.query<{ id: string; ms: string | number }>(
        `insert into conversations (tenant, customer_id, created_at) values ($1, 'C9', now() - interval '5 minutes')
         returning id, (extract(epoch from created_at) * 1000)::bigint as ms`,
        [T],
      );
      const closed = await f.db.query<{ id: string }>(`insert into conversations (tenant, customer_id, state) values ($1, 'C8', 'closed') returning id`, [T]);
      expect(await f.claims.adoptUnrouted()).toContain(T);
      const queue = await f.queries.queue(T);
      expect(queue.map((e) => [e.conversationId, e.customerId, e.enqueuedAtMs])).toEqual([[rows[0]!.id, 'C9', Number(rows[0]!.ms)]]);
      expect(await f.queries.conversation(T, closed.rows[0]!.id)).toBeUndefined();
      expect(await f.claims.adoptUnrouted()).not.toContain(T);
    });

    it('a known agent keeps their profile when another socket connects (the defaults apply to newcomers only)', async () => {
      await f.online(T, 'alice', { skills: ['billing'], languages: ['de'], capacity: 4 });
      await f.online(T, 'alice', { skills: [], languages: [], capacity: 1 });
      expect(await f.queries.agent(T, 'alice')).toMatchObject({ skills: ['billing'], languages: ['de'], capacity: 4, status: 'online' });
    });

    it('an explicit offline agent comes back online only while a session is open', async () => {
      const s = await f.online(T, 'alice');
      await f.presence.setStatus(T, 'alice', 'offline');
      await f.presence.setStatus(T, 'alice', 'online', { capacity: 5 });
      expect(await f.queries.agent(T, 'alice')).toMatchObject({ status: 'online', capacity: 5 });
      await f.presence.disconnect(s);
      await f.presence.setStatus(T, 'alice', 'online');
      expect((await f.queries.agent(T, 'alice'))?.status).toBe('offline');
    });
  });
}
