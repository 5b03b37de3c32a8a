#!/usr/bin/env node
// UniCS's chat core alone on a loopback HTTP server, for the chat benchmark: createChat (chat/create-chat.ts) with
// its default limits, the visitor-token and agent-JWT authenticator of production (chat/auth + the gateway's token
// verifier, HS256), over
//   - CHAT_BENCH_STORE=postgres (default): the stack's PostgreSQL (CHAT_BENCH_DATABASE_URL), schema
//     CHAT_BENCH_SCHEMA, a pool of CHAT_BENCH_POOL (default 10, the chat's default) connections, or
//     CHAT_BENCH_STORE=pglite: PGlite in memory (the harness test);
//   - CHAT_BENCH_FANOUT=redis (default): Redis pub/sub fan-out (chat/fanout/redis-fanout.ts) on CHAT_BENCH_REDIS_URL
//     under the channel prefix CHAT_BENCH_REDIS_PREFIX, as several instances run, or CHAT_BENCH_FANOUT=local.
// The app does not start the chat yet (no app/start-chat.ts), so this file is the seam the benchmark needs; it uses
// only chat/'s public factories. Prints `listening <port>`. GET /stats answers { sessions, topics, sql, redis }:
// statements run (by kind) and Redis PUBLISHes, so the benchmark counts the work per message; GET /gc runs two
// full GCs (--expose-gc) and answers process.memoryUsage(). SIGTERM closes
// everything in reverse order.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createChatAuthenticator } from '../../chat/auth/chat-authenticator.ts';
import { createVisitorTokens } from '../../chat/auth/visitor-token.ts';
import { createChat } from '../../chat/create-chat.ts';
import type { ChatDatabase, SqlExecutor } from '../../chat/db/chat-database.ts';
import { createPgChatDatabase } from '../../chat/db/pg-chat-database.ts';
import { createPgliteChatDatabase } from '../../chat/db/pglite-chat-database.ts';
import { createLocalFanout, type ChatFanout } from '../../chat/fanout/chat-fanout.ts';
import { createRedisFanout } from '../../chat/fanout/redis-fanout.ts';
import { createLogger, type LogLevel } from '../../common/logger.ts';
import { createTokenVerifier } from '../../gateway/auth/token-verifier.ts';
import { BENCH_TENANT } from './bench-tenant.ts';

const env = (name: string, fallback?: string): string => {
  const v = process.env[name] ?? fallback;
  if (v === undefined || v === '') throw new Error(`unics-chat-server: set ${name}`);
  return v;
};

const counts = { statements: 0, transactions: 0, publishes: 0 };
const counting = (x: SqlExecutor): SqlExecutor => ({
  query: (text, params) => {
    counts.statements += 1;
    return x.query(text, params);
  },
  exec: (sql) => {
    counts.statements += 1;
    return x.exec(sql);
  },
});
function countingDatabase(db: ChatDatabase): ChatDatabase {
  return {
    kind: db.kind,
    schema: db.schema,
    ...counting(db),
    transaction: (fn) => {
      counts.transactions += 1;
      return db.transaction((tx) => fn(counting(tx)));
    },
    close: () => db.close(),
  };
}

const log = createLogger({ level: (process.env.CHAT_BENCH_LOG_LEVEL ?? 'warn') as LogLevel });
const schema = env('CHAT_BENCH_SCHEMA');
const store = env('CHAT_BENCH_STORE', 'postgres');
const db = countingDatabase(
  store === 'pglite' ? await createPgliteChatDatabase({ schema }) : createPgChatDatabase({ url: env('CHAT_BENCH_DATABASE_URL'), schema, poolSize: Number(env('CHAT_BENCH_POOL', '10')) }),
);
const redis: Redis[] = [];
let fanout: ChatFanout;
if (env('CHAT_BENCH_FANOUT', 'redis') === 'redis') {
  const url = env('CHAT_BENCH_REDIS_URL');
  const publisher = new Redis(url, { maxRetriesPerRequest: 1 });
  const publish = publisher.publish.bind(publisher);
  publisher.publish = ((channel: string, message: string) => {
    counts.publishes += 1;
    return publish(channel, message);
  }) as typeof publisher.publish;
  const subscriber = new Redis(url);
  redis.push(publisher);
  fanout = createRedisFanout({ publisher, subscriber, prefix: env('CHAT_BENCH_REDIS_PREFIX'), log });
} else {
  fanout = createLocalFanout();
}

const agentSecret = env('CHAT_BENCH_AGENT_SECRET');
const visitors = createVisitorTokens({ secret: env('CHAT_BENCH_VISITOR_SECRET') });
const authenticate = createChatAuthenticator({ agents: createTokenVerifier({ hs256Secret: agentSecret, tenants: [BENCH_TENANT] }), visitors, tenants: [BENCH_TENANT] });
const chat = await createChat({ db, fanout, authenticate, log });

const server = createServer((req, res) => {
  if (req.url === '/gc') {
    // Both servers answer the same way: two full GCs, then process.memoryUsage() (for the benchmark's memory reads).
    (globalThis as { gc?: () => void }).gc?.();
    (globalThis as { gc?: () => void }).gc?.();
    return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(process.memoryUsage()));
  }
  if (req.url !== '/stats') return void res.writeHead(404).end();
  const body = { sessions: chat.sessions.size, topics: fanout.topicCount, sql: { statements: counts.statements, transactions: counts.transactions }, redis: { publishes: counts.publishes } };
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url ?? '/', 'http://localhost').pathname === '/chat') chat.server.handleUpgrade(req, socket, head);
  else socket.destroy();
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  const stop = async () => {
    server.close();
    await chat.close();
    await Promise.all(redis.map((r) => r.quit().catch(() => r.disconnect())));
    await db.close();
  };
  stop().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'unics-chat-server: stopping failed');
      process.exit(1);
    },
  );
});
