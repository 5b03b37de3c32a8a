// The chat's typed events (STYLE.md 10): metrics, logs and chat/routing listen; the core never calls them directly.
import type { ChatPrincipal } from '../auth/chat-authenticator.ts';
import type { ChatEntry, Conversation, Participant } from '../store/chat-store.ts';

export type CloseReason = 'client' | 'shutdown' | 'slow_consumer' | 'dead' | 'refused';

export interface ChatEvents {
  /** A socket authenticated and joined (agents: routing counts them as online). */
  'chat.connection_opened': { readonly sessionId: string; readonly tenant: string; readonly participant: Participant };
  'chat.connection_closed': { readonly sessionId: string; readonly tenant: string; readonly participant: Participant; readonly code: number; readonly reason: CloseReason };
  /** An upgrade whose token was refused (code: CHAT_ERR_UNAUTHORIZED or CHAT_ERR_FORBIDDEN). */
  'chat.connection_refused': { readonly code: string };
  /** A visitor's first send created a conversation (routing queues it). */
  'chat.conversation_opened': { readonly conversation: Conversation; readonly by: ChatPrincipal };
  /** A message was stored (or a re-send found the original: duplicate). */
  'chat.entry_stored': { readonly tenant: string; readonly entry: ChatEntry; readonly duplicate: boolean; readonly by: ChatPrincipal };
  /** A frame was refused with an error frame (or a close). */
  'chat.frame_rejected': { readonly code: string };
  'chat.acked': { readonly tenant: string; readonly conversationId: string; readonly participant: Participant; readonly seq: number };
}
