// The agent tools' frame handlers: typing, read, retract, note, notes, retractions. Typing and read receipts are
// transient frames on the conversation's topic (read receipts also kept as the highest seq read); retractions go to
// everyone in the conversation; notes only to agents — the author and the conversation's agent, on their own
// participant topics, never on the conversation's topic (where the visitor listens).
import type { Clock } from '../../common/clock.ts';
import { chatErr } from '../error-catalogue.ts';
import { conversationTopic, participantTopic } from '../fanout/chat-fanout.ts';
import type { ClientFrame } from '../protocol/client-frames.ts';
import type { RoutingQueries } from '../routing/routing-queries.ts';
import { routingClientFrames, type NoteFrame, type NotesFrame, type ReadFrame, type RetractFrame, type RetractionsRequestFrame, type RoutingServerFrame, type TypingFrame } from '../routing/routing-frames.ts';
import { reply, requireAgent } from '../routing/routing-handlers.ts';
import type { SessionContext } from '../session/chat-sessions.ts';
import { authorizedConversation, type ChatFrameHandler } from '../session/core-frames.ts';
import type { AgentToolsStore, Note } from './agent-tools-store.ts';

export interface AgentToolHandlersDeps {
  readonly tools: AgentToolsStore;
  readonly queries: Pick<RoutingQueries, 'conversation'>;
  readonly clock: Pick<Clock, 'monotonicMs'>;
  /** A socket's typing frames for one conversation are passed on at most this often (the rest dropped). Default 1000. */
  readonly typingIntervalMs?: number;
  /** Notes per `notes` answer. Default 200. */
  readonly notesPageSize?: number;
}

const handler = <F extends ClientFrame>(schema: unknown, handle: (frame: F, ctx: SessionContext) => Promise<void>): ChatFrameHandler =>
  ({ schema, handle }) as unknown as ChatFrameHandler;

const noteFrame = (n: Note, duplicate = false): RoutingServerFrame => ({
  type: 'note',
  conversationId: n.conversationId,
  noteSeq: n.noteSeq,
  afterSeq: n.afterSeq,
  clientMsgId: n.clientMsgId,
  from: n.from,
  text: n.text,
  at: n.at,
  ...(duplicate ? { duplicate: true as const } : {}),
});

export function createAgentToolHandlers(deps: AgentToolHandlersDeps): Map<string, ChatFrameHandler> {
  const { tools, queries, clock } = deps;
  const schemas = routingClientFrames();
  const typingIntervalMs = deps.typingIntervalMs ?? 1000;
  const lastTyping = new WeakMap<object, Map<string, number>>();
  const publish = (ctx: SessionContext, topic: string, frame: RoutingServerFrame) => ctx.fanout.publish(topic, { kind: 'frame', frame });

  return new Map<string, ChatFrameHandler>([
    [
      'typing',
      handler<TypingFrame & ClientFrame>(schemas.typing, async (frame, ctx) => {
        await authorizedConversation(ctx, frame.conversationId, 'send');
        let seen = lastTyping.get(ctx.session);
        if (seen === undefined) lastTyping.set(ctx.session, (seen = new Map()));
        const now = clock.monotonicMs();
        const last = seen.get(frame.conversationId);
        // "Stopped typing" always passes: a dropped stop would leave the indicator on.
        if (frame.typing && last !== undefined && now - last < typingIntervalMs) return;
        if (frame.typing) seen.set(frame.conversationId, now);
        else seen.delete(frame.conversationId);
        publish(ctx, conversationTopic(frame.conversationId), { type: 'typing', conversationId: frame.conversationId, from: ctx.session.principal.participant, typing: frame.typing });
      }),
    ],
    [
      'read',
      handler<ReadFrame & ClientFrame>(schemas.read, async (frame, ctx) => {
        await authorizedConversation(ctx, frame.conversationId, 'read');
        const { tenant, participant } = ctx.session.principal;
        const seq = await tools.markRead(tenant, frame.conversationId, participant, frame.seq);
        if (seq === undefined) throw chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${frame.conversationId} in your tenant`);
        publish(ctx, conversationTopic(frame.conversationId), { type: 'read', conversationId: frame.conversationId, from: participant, seq });
      }),
    ],
    [
      'retract',
      handler<RetractFrame & ClientFrame>(schemas.retract, async (frame, ctx) => {
        await authorizedConversation(ctx, frame.conversationId, 'read');
        const { tenant, participant } = ctx.session.principal;
        const r = await tools.retract(tenant, frame.conversationId, frame.seq, participant);
        if (!r.ok) {
          if (r.reason === 'conversation_not_found') throw chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${frame.conversationId} in your tenant`);
          const why = r.reason === 'message_not_found' ? 'there is no entry with that seq' : r.reason === 'not_a_message' ? 'it is a business event, not a message' : 'it is not your message';
          throw chatErr.CHAT_ERR_CANNOT_RETRACT(`cannot retract seq ${frame.seq} of conversation ${frame.conversationId}: ${why}`);
        }
        const out: RoutingServerFrame = { type: 'retracted', conversationId: frame.conversationId, seq: frame.seq, by: r.retraction.by, at: r.retraction.at };
        if (r.changed) publish(ctx, conversationTopic(frame.conversationId), out);
        else reply(ctx, out);
      }),
    ],
    [
      'retractions',
      handler<RetractionsRequestFrame & ClientFrame>(schemas.retractions, async (frame, ctx) => {
        await authorizedConversation(ctx, frame.conversationId, 'read');
        const found = await tools.listRetractions(ctx.session.principal.tenant, frame.conversationId, 1000);
        reply(ctx, { type: 'retractions', conversationId: frame.conversationId, entries: found.map((r) => ({ seq: r.seq, by: r.by, at: r.at })) });
      }),
    ],
    [
      'note',
      handler<NoteFrame & ClientFrame>(schemas.note, async (frame, ctx) => {
        const agentId = requireAgent(ctx, 'note');
        await authorizedConversation(ctx, frame.conversationId, 'read');
        const { tenant, participant } = ctx.session.principal;
        const r = await tools.addNote(tenant, frame.conversationId, agentId, frame.clientMsgId, frame.text);
        if (!r.ok) throw chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${frame.conversationId} in your tenant`);
        if (r.duplicate) {
          reply(ctx, noteFrame(r.note, true));
          return;
        }
        const recipients = new Set([agentId]);
        const state = await queries.conversation(tenant, frame.conversationId);
        if (state?.agentId) recipients.add(state.agentId);
        for (const id of recipients) publish(ctx, participantTopic(tenant, id === agentId ? participant : { role: 'agent', id }), noteFrame(r.note));
      }),
    ],
    [
      'notes',
      handler<NotesFrame & ClientFrame>(schemas.notes, async (frame, ctx) => {
        requireAgent(ctx, 'notes');
        await authorizedConversation(ctx, frame.conversationId, 'read');
        const notes = await tools.notesAfter(ctx.session.principal.tenant, frame.conversationId, frame.afterNoteSeq, deps.notesPageSize ?? 200);
        for (const n of notes) reply(ctx, noteFrame(n));
      }),
    ],
  ]);
}
