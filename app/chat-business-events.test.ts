// Business events in the embedded demo: a refund made through the graph comes back through the capture and the
// in-process views, and appears once in the customer's open conversation as an `event` with a seq (so a resume
// replays it) — the path an agent sees "order refunded" by.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectChat, type ChatTestClient } from '../chat/test-support/chat-client.ts';
import { createLogger } from '../common/logger.ts';
import { signDevToken } from '../gateway/auth/sign-dev-token.ts';
import { waitFor } from '../test/support/wait-for.ts';
import { buildApp, type App } from './build-app.ts';
import { parseConfig } from './config.ts';

interface Order { id: string; status: string }
interface Customer { orders: Order[]; freshness: Array<{ source: string; mode: string }> }

describe('business events in the chat (embedded demo)', { timeout: 120_000 }, () => {
  let app: App;
  let url: string;
  let supervisor: string;
  const clients: ChatTestClient[] = [];

  beforeAll(async () => {
    const config = parseConfig({ server: { port: 0 }, log: { level: 'silent' }, demo: { embedded: true, customers: 20 } }, 'test');
    app = await buildApp(config, { log: createLogger({ level: 'silent' }) });
    url = await app.listen();
    supervisor = await signDevToken({ secret: app.auth.hs256Secret!, tenant: 'demo', roles: ['agent', 'supervisor'] });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await app?.close();
  });

  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${supervisor}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data: T; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return body.data;
  };

  it('a refund appears once in the open conversation, with a seq, and resume replays it', async () => {
    const customer = await waitFor(async () => {
      const { customer: c } = await gql<{ customer: Customer }>('query { customer(id: "C000002") { orders(first: 50) { id status } freshness { source mode } } }');
      return c.freshness.find((f) => f.source === 'shop')?.mode === 'VIEW' ? c : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200, what: 'the shop part read from the views' });
    const order = customer.orders.find((o) => o.status !== 'REFUNDED' && o.status !== 'CANCELLED');
    expect(order).toBeDefined();

    const res = await fetch(`${url}/chat/visitor-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'C000002' }) });
    const { token } = (await res.json()) as { token: string };
    const visitor = await connectChat(url, token);
    clients.push(visitor);
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'I asked for a refund' });
    const first = await visitor.waitFor((f) => f.type === 'message' && f.seq === 1);

    await gql('mutation($id: ID!) { refundOrder(orderId: $id, amountCents: 1, reason: "test", customerId: "C000002") { id } }', { id: order!.id });
    const event = await visitor.waitFor((f) => f.type === 'event' && f.kind === 'order.refunded', 20_000, 'the refund event');
    expect(event).toMatchObject({ conversationId: first.conversationId, seq: 2, data: { subject: order!.id, text: `order ${order!.id} refunded`, source: 'shop' } });
    await new Promise((r) => setTimeout(r, 300)); // a second copy would have arrived by now
    expect(visitor.frames.filter((f) => f.type === 'event' && f.kind === 'order.refunded')).toHaveLength(1);

    const again = await connectChat(url, token);
    clients.push(again);
    again.send({ type: 'resume', conversationId: first.conversationId, afterSeq: 1 });
    expect(await again.waitFor((f) => f.type === 'event')).toEqual(event);
  });
});
