// Routing refusals (values from the store) as catalogued errors for the client (CHAT_ERR_*), with messages that say
// what happened and what to do.
import type { UnicsError } from '../../common/errors.ts';
import { chatErr } from '../error-catalogue.ts';
import type { RoutingRefusal } from './routing-claims.ts';

export function refusalError(reason: RoutingRefusal, conversationId: string, agentId: string, holder?: string): UnicsError {
  switch (reason) {
    case 'conversation_not_found':
      return chatErr.CHAT_ERR_NOT_FOUND(`no conversation ${conversationId} in your tenant`);
    case 'conversation_closed':
      return chatErr.CHAT_ERR_CONVERSATION_CLOSED(`conversation ${conversationId} is closed`);
    case 'not_queued':
      return chatErr.CHAT_ERR_ALREADY_ASSIGNED(
        holder === undefined ? `conversation ${conversationId} is not waiting any more` : `conversation ${conversationId} is already assigned to ${holder}`,
        { details: holder === undefined ? { conversationId } : { conversationId, agentId: holder } },
      );
    case 'not_assigned_to_agent':
      return chatErr.CHAT_ERR_NOT_ASSIGNED(`conversation ${conversationId} is not assigned to you; accept it first if it is waiting`);
    case 'agent_offline':
      return chatErr.CHAT_ERR_AGENT_UNAVAILABLE(`agent ${agentId} is offline; an agent goes online with {"type": "presence", "status": "online"}`);
    case 'agent_at_capacity':
      return chatErr.CHAT_ERR_AGENT_UNAVAILABLE(`agent ${agentId} has no free seat (capacity reached); close or transfer a conversation first`);
    case 'agent_not_eligible':
      return chatErr.CHAT_ERR_AGENT_UNAVAILABLE(`agent ${agentId} lacks the skill or language conversation ${conversationId} needs`);
    case 'same_agent':
      return chatErr.CHAT_ERR_BAD_FRAME(`transfer frame: conversation ${conversationId} is already yours; name another agent in toAgentId`);
  }
}
