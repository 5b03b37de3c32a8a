// Who is on the other end of a chat socket, from the `token` query parameter of the upgrade: a visitor token
// (audience unics-chat-visitor, visitor-token.ts) or an agent's JWT, verified by the gateway's token verifier (pinned
// algorithms, tenants) and required to carry one of the agent roles.
import { decodeJwt } from 'jose';
import { isUnicsError } from '../../common/errors.ts';
import { chatErr } from '../error-catalogue.ts';
import type { Participant } from '../store/chat-store.ts';
import { VISITOR_TOKEN_AUDIENCE, type VisitorTokens } from './visitor-token.ts';

export interface ChatPrincipal {
  readonly tenant: string;
  readonly participant: Participant;
  readonly roles: readonly string[];
}

/** The part of the gateway's TokenVerifier the chat uses. */
export interface AgentTokenVerifier {
  verify(token: string): Promise<{ readonly subject: string; readonly tenant: string; readonly roles: readonly string[] }>;
}

export interface ChatAuthenticatorOptions {
  readonly agents: AgentTokenVerifier;
  /** Absent: visitor tokens are refused (no secret configured). */
  readonly visitors?: VisitorTokens;
  /** Roles that make a JWT an agent's. Default ["agent", "supervisor"]. */
  readonly agentRoles?: readonly string[];
  /** Tenants served (auth.tenants); a visitor token of another tenant is refused. Absent: any. */
  readonly tenants?: readonly string[];
}

export type ChatAuthenticator = (token: string | undefined) => Promise<ChatPrincipal>;

const GATEWAY_FORBIDDEN = 'GATEWAY_ERR_FORBIDDEN';

export function createChatAuthenticator(options: ChatAuthenticatorOptions): ChatAuthenticator {
  const agentRoles = options.agentRoles ?? ['agent', 'supervisor'];
  const tenants = options.tenants === undefined ? undefined : new Set(options.tenants);
  return async (token) => {
    if (token === undefined || token === '') {
      throw chatErr.CHAT_ERR_UNAUTHORIZED('missing token: connect to /chat?token=<agent JWT or visitor token>');
    }
    let audience: unknown;
    try {
      audience = decodeJwt(token).aud;
    } catch {
      throw chatErr.CHAT_ERR_UNAUTHORIZED('malformed token: expected a JWT (three base64url parts separated by dots)');
    }
    if (audience === VISITOR_TOKEN_AUDIENCE) {
      if (options.visitors === undefined) throw chatErr.CHAT_ERR_UNAUTHORIZED('visitor tokens are not accepted here: no chat.visitorTokenSecret is configured');
      const visitor = await options.visitors.verify(token);
      if (tenants !== undefined && !tenants.has(visitor.tenant)) throw chatErr.CHAT_ERR_FORBIDDEN(`tenant ${JSON.stringify(visitor.tenant)} is not served by this gateway`);
      return Object.freeze({ tenant: visitor.tenant, participant: Object.freeze({ role: 'visitor', id: visitor.customerId }), roles: Object.freeze([]) });
    }
    let principal;
    try {
      principal = await options.agents.verify(token);
    } catch (err) {
      if (isUnicsError(err) && err.code === GATEWAY_FORBIDDEN) throw chatErr.CHAT_ERR_FORBIDDEN(err.message, { cause: err });
      if (isUnicsError(err) && !err.retriable) throw chatErr.CHAT_ERR_UNAUTHORIZED(err.message, { cause: err });
      throw err;
    }
    if (!principal.roles.some((r) => agentRoles.includes(r))) {
      throw chatErr.CHAT_ERR_FORBIDDEN(`the token has roles [${principal.roles.join(', ')}]; the chat needs one of ${agentRoles.join(', ')}`);
    }
    return Object.freeze({ tenant: principal.tenant, participant: Object.freeze({ role: 'agent', id: principal.subject }), roles: principal.roles });
  };
}
