// A chat on a plain loopback HTTP server (port 0) for component tests: createChat over a given database and fan-out,
// agent JWTs from the gateway's verifier with a test secret, visitor tokens with their own.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createLogger } from '../../common/logger.ts';
import { signDevToken } from '../../gateway/auth/sign-dev-token.ts';
import { createTokenVerifier } from '../../gateway/auth/token-verifier.ts';
import { createChatAuthenticator } from '../auth/chat-authenticator.ts';
import { createVisitorTokens } from '../auth/visitor-token.ts';
import { createChat, type Chat, type ChatLimits, type ChatOptions } from '../create-chat.ts';
import type { ChatDatabase } from '../db/chat-database.ts';
import { createLocalFanout, type ChatFanout } from '../fanout/chat-fanout.ts';

export const AGENT_SECRET = 'chat-test-agent-secret-0123456789abcdef';
export const VISITOR_SECRET = 'chat-test-visitor-secret-0123456789abcdef';
export const TENANTS = ['t1', 't2'];

export interface ChatHarness {
  readonly chat: Chat;
  readonly url: string;
  readonly server: Server;
  readonly metrics: Registry;
  agentToken(tenant: string, subject: string, roles?: readonly string[]): Promise<string>;
  visitorToken(tenant: string, customerId: string): Promise<string>;
  close(): Promise<void>;
}

export async function startChatHarness(options: {
  readonly db: ChatDatabase;
  readonly fanout?: ChatFanout;
  readonly limits?: Partial<ChatLimits>;
  readonly policy?: ChatOptions['policy'];
  /** chat/routing's frame handlers and migrations (createChatRouting). */
  readonly handlers?: ChatOptions['handlers'];
  readonly migrations?: ChatOptions['migrations'];
  readonly wrapStore?: ChatOptions['wrapStore'];
}): Promise<ChatHarness> {
  const visitors = createVisitorTokens({ secret: VISITOR_SECRET });
  const authenticate = createChatAuthenticator({ agents: createTokenVerifier({ hs256Secret: AGENT_SECRET, tenants: TENANTS }), visitors, tenants: TENANTS });
  const metrics = new Registry();
  const chat = await createChat({
    db: options.db,
    fanout: options.fanout ?? createLocalFanout(),
    authenticate,
    log: createLogger({ level: 'silent' }),
    metrics,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.handlers ? { handlers: options.handlers } : {}),
    ...(options.migrations ? { migrations: options.migrations } : {}),
    ...(options.wrapStore ? { wrapStore: options.wrapStore } : {}),
  });
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === '/chat') chat.server.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    chat,
    url: `http://127.0.0.1:${port}`,
    server,
    metrics,
    agentToken: (tenant, subject, roles = ['agent']) => signDevToken({ secret: AGENT_SECRET, tenant, subject, roles }),
    visitorToken: async (tenant, customerId) => (await visitors.sign({ tenant, customerId })).token,
    async close() {
      await chat.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
