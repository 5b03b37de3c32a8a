// The chat wired by buildApp in the embedded demo: POST /chat/visitor-token, ws /chat next to /graphql, the metric,
// and a restart of the whole app over the same PGlite data directory that loses no history.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectChat, type ReceivedFrame } from '../chat/test-support/chat-client.ts';
import { createLogger } from '../common/logger.ts';
import { signDevToken } from '../gateway/auth/sign-dev-token.ts';
import { buildApp, type App } from './build-app.ts';
import { parseConfig } from './config.ts';

const isMessage = (seq: number) => (f: ReceivedFrame) => f.type === 'message' && f.seq === seq;

describe('the chat in the app (embedded demo)', { timeout: 180_000 }, () => {
  let app: App | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await app?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const config = parseConfig({ server: { port: 0 }, log: { level: 'silent' }, demo: { embedded: true, customers: 20 }, chat: { dataDir } }, 'test');
    const built = await buildApp(config, { log: createLogger({ level: 'silent' }) });
    return { built, url: await built.listen() };
  };

  it('issues visitor tokens, carries a conversation over ws /chat, and keeps it over a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'unics-chat-'));
    let { built, url } = await start();
    app = built;
    expect(app.chat).toBeDefined();

    const refused = await fetch(`${url}/chat/visitor-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'has spaces' }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('CHAT_ERR_BAD_REQUEST');
    const res = await fetch(`${url}/chat/visitor-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'C000001' }) });
    expect(res.status).toBe(200);
    const { token, tenant } = (await res.json()) as { token: string; tenant: string };
    expect(tenant).toBe('demo');

    const visitor = await connectChat(url, token);
    visitor.send({ type: 'send', clientMsgId: 'v1', text: 'Is my order paid?' });
    const first = await visitor.waitFor(isMessage(1));
    const agentToken = await signDevToken({ secret: app.auth.hs256Secret!, tenant: 'demo', subject: 'ann', roles: ['agent'] });
    const agent = await connectChat(url, agentToken);
    // Routing assigns the waiting conversation to the agent who came online; only then may they send into it.
    expect(await agent.waitFor((f) => f.type === 'assigned')).toMatchObject({ conversationId: first.conversationId, agentId: 'ann' });
    agent.send({ type: 'resume', conversationId: first.conversationId, afterSeq: 0 });
    await agent.waitFor(isMessage(1));
    agent.send({ type: 'send', conversationId: first.conversationId, clientMsgId: 'a1', text: 'Yes, yesterday.' });
    await visitor.waitFor(isMessage(2));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('unics_chat_connections{role="visitor"} 1');
    expect(metrics).toContain('unics_chat_messages_total{outcome="stored"} 2');
    const notFound = (await (await fetch(`${url}/nowhere`)).json()) as { error: { message: string } };
    expect(notFound.error.message).toContain('POST /chat/visitor-token');

    // The whole app stops (sockets get 1001) and starts again over the same data directory.
    await app.close();
    app = undefined;
    expect((await visitor.closed).code).toBe(1001);
    expect((await agent.closed).code).toBe(1001);
    ({ built, url } = await start());
    app = built;
    const back = await connectChat(url, token);
    back.send({ type: 'resume', conversationId: first.conversationId, afterSeq: 0 });
    await back.waitFor(isMessage(2));
    back.send({ type: 'send', conversationId: first.conversationId, clientMsgId: 'v2', text: 'Thanks!' });
    await back.waitFor(isMessage(3));
    expect(back.frames.filter((f) => f.type === 'message').map((f) => f.text)).toEqual(['Is my order paid?', 'Yes, yesterday.', 'Thanks!']);
    await back.close();
  });
});
