// Who may read and write which conversation, beyond the tenant (which the store enforces on every call). The chat
// core's default: a visitor only their own conversations (by customer id), an agent any of their tenant. chat/routing
// supplies a stricter policy (the assigned agent, supervisors) through createChat({ policy }).
import type { ChatPrincipal } from '../auth/chat-authenticator.ts';
import type { Conversation } from '../store/chat-store.ts';

export interface ChatAccessPolicy {
  /** May the principal resume, page the history of, and receive this conversation? */
  canRead(principal: ChatPrincipal, conversation: Conversation): boolean | Promise<boolean>;
  /** May the principal send into it? */
  canSend(principal: ChatPrincipal, conversation: Conversation): boolean | Promise<boolean>;
}

const ownOrAgent = (principal: ChatPrincipal, conversation: Conversation) =>
  conversation.tenant === principal.tenant && (principal.participant.role === 'agent' || conversation.customerId === principal.participant.id);

export const defaultAccessPolicy: ChatAccessPolicy = Object.freeze({ canRead: ownOrAgent, canSend: ownOrAgent });
