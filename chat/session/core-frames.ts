// The chat core's frame handlers: send, resume, ack, history. Extra frame types (chat/routing's agent tools) come
// as ChatFrameHandlers with the same context.
import type { z } from 'zod';
import { chatErr } from '../error-catalogue.ts';
import { conversationTopic } from '../fanout/chat-fanout.ts';
import { DEFAULT_HISTORY_LIMIT, type AckFrame, type ClientFrame, type HistoryFrame, type ResumeFrame, type SendFrame } from '../protocol/client-frames.ts';
import { entryFrame, type HistoryResultFrame } from '../protocol/server-frames.ts';
import type { Conversation } from '../store/chat-store.ts';
import type { SessionContext } from './chat-sessions.ts';

/** A frame type added to the protocol: its schema (checked by the codec) and what the server does with it. */
export interface ChatFrameHandler<F extends ClientFrame = ClientFrame> {
  readonly schema: z.ZodType<F>;
  handle(frame: F, ctx: SessionContext): Promise<void>;
}

/** The conversation, if it is in the principal's tenant and the policy lets them read (or send into) it. */
export async function authorizedConversation(ctx: SessionContext, conversationId: string, access: 'read' | 'send'): Promise<Conversation> {
  const { principal } = ctx.session;
  const conversation = await ctx.store.getConversation(principal.tenant, conversationId);
  if (conversation === undefined) throw chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${conversationId} in your tenant`);
  const allowed = access === 'read' ? await ctx.policy.canRead(principal, conversation) : await ctx.policy.canSend(principal, conversation);
  if (!allowed) {
    throw chatErr.CHAT_ERR_FORBIDDEN(
      principal.participant.role === 'visitor' ? `conversation ${conversationId} is not yours` : `you may not ${access === 'read' ? 'read' : 'send into'} conversation ${conversationId}`,
    );
  }
  return conversation;
}

async function onSend(frame: SendFrame, ctx: SessionContext): Promise<void> {
  const { principal } = ctx.session;
  let conversationId = frame.conversationId;
  let created: Conversation | undefined;
  if (conversationId === undefined) {
    if (principal.participant.role !== 'visitor') throw chatErr.CHAT_ERR_BAD_FRAME('send frame: conversationId is required for agents (only visitors start conversations)');
    const opened = await ctx.store.openConversation(principal.tenant, principal.participant.id);
    conversationId = opened.conversation.id;
    if (opened.created) created = opened.conversation;
  } else if (!ctx.isJoined(conversationId)) {
    await authorizedConversation(ctx, conversationId, 'send');
  } else if (principal.participant.role === 'agent') {
    // Joined once, but the routing policy (assignment) may have changed since: ask it again for agents.
    await authorizedConversation(ctx, conversationId, 'send');
  }
  // A conversation created here is told (routing queues it) once the visitor is joined and hears their participant
  // topic, so routing's first answer cannot be missed; also when the append failed: the conversation exists anyway.
  try {
    const result = await ctx.store.appendMessage({ tenant: principal.tenant, conversationId, from: principal.participant, clientMsgId: frame.clientMsgId, text: frame.text });
    ctx.events.emit('chat.entry_stored', { tenant: principal.tenant, entry: result.entry, duplicate: result.duplicate, by: principal });
    if (result.duplicate) {
      // The original, again, so the client knows it was stored (its seq may be one the socket already had).
      const original = entryFrame(result.entry);
      ctx.send(Object.assign(original, { duplicate: true }));
      return;
    }
    const wasJoined = ctx.isJoined(conversationId);
    ctx.fanout.publish(conversationTopic(conversationId), { kind: 'entry', entry: result.entry });
    // A sender not yet in the conversation joins just before its own message and gets it (and anything after) from here.
    if (!wasJoined) await ctx.join(conversationId, result.entry.seq - 1);
  } finally {
    if (created !== undefined) ctx.events.emit('chat.conversation_opened', { conversation: created, by: principal });
  }
}

async function onResume(frame: ResumeFrame, ctx: SessionContext): Promise<void> {
  await authorizedConversation(ctx, frame.conversationId, 'read');
  await ctx.join(frame.conversationId, frame.afterSeq);
}

async function onAck(frame: AckFrame, ctx: SessionContext): Promise<void> {
  const { principal } = ctx.session;
  if (!ctx.isJoined(frame.conversationId)) await authorizedConversation(ctx, frame.conversationId, 'read');
  const seq = await ctx.store.ack(principal.tenant, frame.conversationId, principal.participant, frame.seq);
  if (seq === undefined) throw chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${frame.conversationId} in your tenant`);
  ctx.events.emit('chat.acked', { tenant: principal.tenant, conversationId: frame.conversationId, participant: principal.participant, seq });
}

async function onHistory(frame: HistoryFrame, ctx: SessionContext): Promise<void> {
  await authorizedConversation(ctx, frame.conversationId, 'read');
  const page = await ctx.store.history(ctx.session.principal.tenant, frame.conversationId, {
    limit: frame.limit ?? DEFAULT_HISTORY_LIMIT,
    ...(frame.beforeSeq !== undefined ? { beforeSeq: frame.beforeSeq } : {}),
  });
  const answer: HistoryResultFrame = { type: 'history', conversationId: frame.conversationId, entries: page.entries.map(entryFrame), hasMore: page.hasMore };
  ctx.send(answer);
}

export function handleCoreFrame(frame: ClientFrame, ctx: SessionContext): Promise<void> {
  switch (frame.type) {
    case 'send':
      return onSend(frame as unknown as SendFrame, ctx);
    case 'resume':
      return onResume(frame as unknown as ResumeFrame, ctx);
    case 'ack':
      return onAck(frame as unknown as AckFrame, ctx);
    case 'history':
      return onHistory(frame as unknown as HistoryFrame, ctx);
    default:
      return Promise.reject(chatErr.CHAT_ERR_UNKNOWN_TYPE(`no handler for frame type "${frame.type}"`));
  }
}
