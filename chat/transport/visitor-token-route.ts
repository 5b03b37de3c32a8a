// POST /chat/visitor-token {"customerId": "C000001"} → {"token", "expiresAt"}: a visitor token for the demo. Anyone
// who can reach it gets a token for any customer, so it is on only in the embedded demo (chat.visitorTokenRoute);
// in production the customer's website backend signs visitor tokens with chat.visitorTokenSecret.
import type { FastifyInstance } from 'fastify';
import { chatErr } from '../error-catalogue.ts';
import { CUSTOMER_ID_PATTERN, type VisitorTokens } from '../auth/visitor-token.ts';

export const VISITOR_TOKEN_PATH = '/chat/visitor-token';

export interface VisitorTokenRouteOptions {
  readonly tokens: VisitorTokens;
  readonly tenant: string;
  readonly lifetimeSeconds: number;
}

export function visitorTokenRoutes(options: VisitorTokenRouteOptions) {
  return {
    names: [`POST ${VISITOR_TOKEN_PATH}`, 'ws /chat'],
    register(fastify: FastifyInstance) {
      fastify.post(VISITOR_TOKEN_PATH, { bodyLimit: 1024 }, async (request, reply) => {
        const customerId = (request.body as { customerId?: unknown } | null | undefined)?.customerId;
        if (typeof customerId !== 'string' || !CUSTOMER_ID_PATTERN.test(customerId)) {
          throw chatErr.CHAT_ERR_BAD_REQUEST(`the body must be {"customerId": "<id>"} with 1-128 letters, digits or ._:@- characters, but customerId is ${JSON.stringify(customerId)?.slice(0, 140) ?? 'missing'}`);
        }
        const { token, expiresAt } = await options.tokens.sign({ tenant: options.tenant, customerId }, options.lifetimeSeconds);
        void reply.header('cache-control', 'no-store');
        return { token, expiresAt, tenant: options.tenant, customerId };
      });
    },
  };
}
