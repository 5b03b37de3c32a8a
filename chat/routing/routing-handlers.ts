// The routing frames' handlers (accept, transfer, close, presence, waiting) for the chat sessions.
import { chatErr } from '../error-catalogue.ts';
import type { ChatFrameHandler } from '../session/core-frames.ts';
import type { SessionContext } from '../session/chat-sessions.ts';
import type { ClientFrame } from '../protocol/client-frames.ts';
import type { AcceptFrame, CloseFrame, PresenceFrame, RoutingServerFrame, TransferFrame } from './routing-frames.ts';
import { routingClientFrames } from './routing-frames.ts';
import { refusalError } from './routing-refusals.ts';
import type { RoutingService } from './routing-service.ts';

/** The agent's id, or CHAT_ERR_FORBIDDEN for visitors. */
export function requireAgent(ctx: SessionContext, type: string): string {
  const { participant } = ctx.session.principal;
  if (participant.role !== 'agent') throw chatErr.CHAT_ERR_FORBIDDEN(`${type} frame: only agents may send it`);
  return participant.id;
}

/** Sends a routing frame to this socket only. */
export const reply = (ctx: SessionContext, frame: RoutingServerFrame): void => ctx.send(frame);

const handler = <F extends ClientFrame>(schema: unknown, handle: (frame: F, ctx: SessionContext) => Promise<void>): ChatFrameHandler =>
  ({ schema, handle }) as unknown as ChatFrameHandler;

export function createRoutingHandlers(service: RoutingService, supervisorRoles: readonly string[] = ['supervisor']): Map<string, ChatFrameHandler> {
  const schemas = routingClientFrames();
  const isSupervisor = (ctx: SessionContext) => ctx.session.principal.roles.some((r) => supervisorRoles.includes(r));

  return new Map<string, ChatFrameHandler>([
    [
      'accept',
      handler<AcceptFrame & ClientFrame>(schemas.accept, async (frame, ctx) => {
        const agentId = requireAgent(ctx, 'accept');
        const { tenant } = ctx.session.principal;
        const r = await service.claims.accept(tenant, agentId, frame.conversationId);
        if (!r.ok) throw refusalError(r.reason, frame.conversationId, agentId, r.agentId);
        service.announceAssigned(tenant, r);
        await service.dispatch(tenant);
      }),
    ],
    [
      'transfer',
      handler<TransferFrame & ClientFrame>(schemas.transfer, async (frame, ctx) => {
        const agentId = requireAgent(ctx, 'transfer');
        const { tenant } = ctx.session.principal;
        if (frame.toAgentId !== undefined) {
          const r = await service.claims.transferToAgent(tenant, agentId, frame.conversationId, frame.toAgentId);
          if (!r.ok) throw refusalError(r.reason, frame.conversationId, r.reason.startsWith('agent_') ? frame.toAgentId : agentId);
          service.announceTransfer(tenant, agentId, r);
        } else {
          const r = await service.claims.transferToSkill(tenant, agentId, frame.conversationId, frame.toSkill!);
          if (!r.ok) throw refusalError(r.reason, frame.conversationId, agentId);
          service.announceUnassigned(tenant, agentId, frame.conversationId, 'transferred');
        }
        await service.dispatch(tenant);
      }),
    ],
    [
      'close',
      handler<CloseFrame & ClientFrame>(schemas.close, async (frame, ctx) => {
        const { tenant, participant } = ctx.session.principal;
        const conversation = await ctx.store.getConversation(tenant, frame.conversationId);
        if (conversation === undefined) throw chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${frame.conversationId} in your tenant`);
        const state = await service.queries.conversation(tenant, frame.conversationId);
        if (participant.role === 'visitor') {
          if (conversation.customerId !== participant.id) throw chatErr.CHAT_ERR_FORBIDDEN(`conversation ${frame.conversationId} is not yours`);
        } else if (!isSupervisor(ctx) && !(state?.state === 'assigned' && state.agentId === participant.id)) {
          throw chatErr.CHAT_ERR_NOT_ASSIGNED(`conversation ${frame.conversationId} is not assigned to you; only its agent or its visitor may close it`);
        }
        const closed = state === undefined ? undefined : await service.claims.close(tenant, frame.conversationId);
        const changed = await ctx.store.closeConversation(tenant, frame.conversationId);
        if (changed || (closed?.ok === true && closed.changed)) {
          service.announceClosed(tenant, frame.conversationId, participant, closed?.ok === true ? closed.agentId : null);
        } else {
          reply(ctx, { type: 'closed', conversationId: frame.conversationId, by: participant });
        }
        if (closed?.ok === true && closed.agentId !== null) await service.dispatch(tenant);
      }),
    ],
    [
      'presence',
      handler<PresenceFrame & ClientFrame>(schemas.presence, async (frame, ctx) => {
        const agentId = requireAgent(ctx, 'presence');
        const profile = {
          ...(frame.skills !== undefined ? { skills: frame.skills } : {}),
          ...(frame.languages !== undefined ? { languages: frame.languages } : {}),
          ...(frame.capacity !== undefined ? { capacity: frame.capacity } : {}),
        };
        const released = await service.setPresence(ctx.session.principal.tenant, agentId, frame.status, profile);
        reply(ctx, { type: 'presence', status: frame.status, released });
      }),
    ],
    [
      'waiting',
      handler(schemas.waiting, async (_frame, ctx) => {
        requireAgent(ctx, 'waiting');
        reply(ctx, { type: 'waiting', entries: await service.waitingList(ctx.session.principal.tenant) });
      }),
    ],
  ]);
}
