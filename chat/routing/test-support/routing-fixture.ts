// What the routing tests share: a migrated chat database (core + routing scripts), conversations created the way
// the chat core creates them (a row in `conversations`), and the store parts on a fake clock.
import { createFakeClock, type FakeClock } from '../../../common/index.ts';
import type { ChatDatabase } from '../../db/chat-database.ts';
import { runChatMigrations } from '../../db/migrate.ts';
import { chatCoreMigrations } from '../../store/chat-migrations.ts';
import { createRoutingClaims, type RoutingClaims } from '../routing-claims.ts';
import { routingMigrations } from '../routing-migrations.ts';
import { createRoutingPresence, type AgentProfile, type RoutingPresence } from '../routing-presence.ts';
import { createRoutingQueries, type RoutingQueries } from '../routing-queries.ts';

export interface RoutingFixture {
  readonly db: ChatDatabase;
  readonly clock: FakeClock;
  readonly claims: RoutingClaims;
  readonly presence: RoutingPresence;
  readonly queries: RoutingQueries;
  /** A conversation row for the customer, queued with the given needs; returns its id. */
  newConversation(tenant: string, customerId: string, needs?: { skill?: string; language?: string }): Promise<string>;
  /** Connects one session of the agent (online). */
  online(tenant: string, agentId: string, profile?: Partial<AgentProfile>, sessionId?: string): Promise<string>;
}

let sessions = 0;

export async function createRoutingFixture(db: ChatDatabase, instanceId = 'instance-a'): Promise<RoutingFixture> {
  await runChatMigrations(db, [...chatCoreMigrations(), ...routingMigrations()]);
  const clock = createFakeClock(1_800_000_000_000);
  const claims = createRoutingClaims({ db, clock });
  const presence = createRoutingPresence({ db, clock, instanceId });
  const queries = createRoutingQueries({ db });
  return {
    db,
    clock,
    claims,
    presence,
    queries,
    async newConversation(tenant, customerId, needs = {}) {
      const { rows } = await db.query<{ id: string }>('insert into conversations (tenant, customer_id) values ($1, $2) returning id', [tenant, customerId]);
      const conversationId = rows[0]!.id;
      await claims.enqueue(tenant, { conversationId, customerId, skill: needs.skill ?? null, language: needs.language ?? null });
      return conversationId;
    },
    async online(tenant, agentId, profile = {}, sessionId = `s${++sessions}-${agentId}`) {
      await presence.connect(
        { tenant, agentId, sessionId },
        { skills: profile.skills ?? ['general'], languages: profile.languages ?? ['en'], capacity: profile.capacity ?? 2 },
      );
      return sessionId;
    },
  };
}
