// Who may read and write a conversation once routing is on (the chat core asks through ChatAccessPolicy):
//  - a visitor: their own conversations (send only while open);
//  - an agent: send only into conversations assigned to them; read those, waiting ones (to decide on accept) and
//    closed ones (the customer's past), not ones assigned to someone else;
//  - a supervisor (chat.supervisorRoles): read and send anywhere in their tenant.
import type { ChatPrincipal } from '../auth/chat-authenticator.ts';
import type { ChatAccessPolicy } from '../session/access-policy.ts';
import type { Conversation } from '../store/chat-store.ts';
import type { RoutingQueries } from './routing-queries.ts';

export function createRoutingPolicy(deps: { queries: Pick<RoutingQueries, 'conversation'>; supervisorRoles?: readonly string[] }): ChatAccessPolicy {
  const supervisors = new Set(deps.supervisorRoles ?? ['supervisor']);
  const isSupervisor = (p: ChatPrincipal) => p.roles.some((r) => supervisors.has(r));

  const check = async (principal: ChatPrincipal, conversation: Conversation, access: 'read' | 'send'): Promise<boolean> => {
    if (conversation.tenant !== principal.tenant) return false;
    const { role, id } = principal.participant;
    if (role === 'visitor') return conversation.customerId === id && (access === 'read' || conversation.state !== 'closed');
    if (role !== 'agent') return false;
    if (isSupervisor(principal)) return true;
    const state = await deps.queries.conversation(principal.tenant, conversation.id);
    const assignedToMe = state?.state === 'assigned' && state.agentId === id;
    if (access === 'send') return assignedToMe;
    return assignedToMe || state === undefined || state.state !== 'assigned';
  };

  return {
    canRead: (principal, conversation) => check(principal, conversation, 'read'),
    canSend: (principal, conversation) => check(principal, conversation, 'send'),
  };
}
