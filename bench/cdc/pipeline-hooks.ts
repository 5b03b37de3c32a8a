// Where the view pipeline plugs into the CDC benchmark (issue 5), once materialized-views/ exposes it:
//
//   (a) freshness: measurePipelineFreshness(factory, stack, options) writes the steady 1,000 changes/s to the bench
//       source (its own Debezium connector with the stack's tuning) while the pipeline built by `factory` folds
//       them into Redis views; the pipeline reports each order it saw through GraphQL, and the harness joins that
//       with the writer's commits: commit -> visible, p50/p99.
//   (b) throughput: measurePipelineThroughput(factory, input) starts the pipeline on the pre-filled topics
//       (1,000,000 generated changes) and times it until it reports every change applied: changes/s, next to the
//       bare kafkajs consumer on the same topics (throughput-reader.ts). The bench runs it in a child process, like
//       the other readers, via the `pipeline` reader client and a module exporting the factory.
//
// The factories get plain addresses and names and return small objects; nothing here imports materialized-views/.
import { randomUUID } from 'node:crypto';
import { round } from '../lib/stats.ts';
import type { BenchStack } from './bench-stack.ts';
import { createBenchSource, type BenchSource } from './bench-source.ts';
import { distribution, type Distribution } from './latency-report.ts';
import { startSteadyWriter, type Commit } from './steady-writer.ts';

/** What a view pipeline under test is given. Topics are Debezium's (`<prefix>.shop.<table>`); Redis keys must start with keyPrefix. */
export interface PipelineInput {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly topics: { readonly orders: string; readonly orderItems: string; readonly payments: string; readonly heartbeat?: string };
  readonly redisUrl: string;
  readonly keyPrefix: string;
}

/** An order as a GraphQL read showed it, and when (ms since epoch, performance.timeOrigin + performance.now()). */
export interface VisibleOrder {
  readonly orderId: string;
  /** Order.updatedAt as the view serves it (ISO 8601, microseconds kept, e.g. 2026-11-23T19:41:06.504758Z). */
  readonly updatedAt: string;
  readonly visibleAt: number;
}

export interface FreshnessPipeline {
  /** Resolves once consuming (group joined); the writer starts after. */
  start(): Promise<void>;
  /** Reports orders as GraphQL shows them (a subscription, or reads after each view change). Returns its unsubscribe. */
  onVisible(listener: (order: VisibleOrder) => void): () => void;
  stop(): Promise<void>;
}
export type FreshnessPipelineFactory = (input: PipelineInput & { readonly databaseUrl: string; readonly customers: number }) => Promise<FreshnessPipeline>;

export interface ThroughputPipeline {
  /** Starts consuming the topics from the beginning. */
  start(): Promise<void>;
  /** Reports changes folded into the views (a count per applied batch). Returns its unsubscribe. */
  onApplied(listener: (changes: number) => void): () => void;
  stop(): Promise<void>;
}
export type ThroughputPipelineFactory = (input: PipelineInput) => Promise<ThroughputPipeline>;

export interface FreshnessResult {
  readonly commits: number;
  readonly seen: number;
  readonly commitToVisible: Distribution;
  readonly loadAvg1: number;
}

/** "2026-11-23T19:41:06.504758Z" -> microseconds since the epoch (Date.parse keeps only milliseconds). */
export function isoToMicros(iso: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:?\d\d)$/.exec(iso);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}${m[3]}`) * 1000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/**
 * Joins commits with the first time each (order, updated_at) was seen. updated_at is compared to the millisecond:
 * GraphQL serves Order.updatedAt as ISO text with milliseconds (as the shop's own API does).
 */
export function freshnessOf(commits: readonly Commit[], seen: readonly VisibleOrder[], warmupMs: number): { samples: number[]; missing: number } {
  const firstSeen = new Map<string, number>();
  for (const v of seen) {
    const k = `${v.orderId}@${Math.floor(isoToMicros(v.updatedAt) / 1000)}`;
    if (!firstSeen.has(k) || firstSeen.get(k)! > v.visibleAt) firstSeen.set(k, v.visibleAt);
  }
  const start = commits.reduce((m, c) => Math.min(m, c.sentAt), Infinity);
  const samples: number[] = [];
  let missing = 0;
  for (const c of commits) {
    if (c.sentAt < start + warmupMs) continue;
    const at = firstSeen.get(`${c.orderId}@${Math.floor(c.updatedAtUs / 1000)}`);
    if (at === undefined) missing++;
    else samples.push(at - c.committedAt);
  }
  return { samples, missing };
}

/** (a) Source commit -> visible through GraphQL, at a steady rate, through the pipeline `factory` builds. */
export async function measurePipelineFreshness(
  factory: FreshnessPipelineFactory,
  stack: BenchStack,
  o: { rate?: number; durationMs?: number; warmupMs?: number; customers?: number; connectorOverrides?: Record<string, string>; progress?: (m: string) => void } = {},
): Promise<FreshnessResult> {
  const name = `bench_cdc_fresh_${Date.now().toString(36)}_${randomUUID().slice(0, 5)}`;
  const source: BenchSource = await createBenchSource({
    connectUrl: stack.env.CONNECT_URL, databaseUrl: stack.env.DATABASE_URL, brokers: stack.brokers, name,
    overrides: o.connectorOverrides ?? {}, seedOrders: 10_000, ...(o.progress ? { progress: o.progress } : {}),
  });
  try {
    const customers = o.customers ?? 10_000;
    const pipeline = await factory({
      brokers: stack.brokers, groupId: `${source.connector}-views`, topics: source.topics, redisUrl: stack.env.REDIS_URL,
      keyPrefix: `${name}:`, databaseUrl: source.databaseUrl, customers,
    });
    const seen: VisibleOrder[] = [];
    const off = pipeline.onVisible((v) => seen.push(v));
    try {
      await pipeline.start();
      const writer = startSteadyWriter({ databaseUrl: source.databaseUrl, schema: source.schema, rate: o.rate ?? 1000, durationMs: o.durationMs ?? 30_000, existingOrders: 10_000, customers });
      const result = await writer.done;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && freshnessOf(result.commits, seen, o.warmupMs ?? 5_000).missing > 0) await new Promise((r) => setTimeout(r, 100));
      const { samples } = freshnessOf(result.commits, seen, o.warmupMs ?? 5_000);
      const { loadavg } = await import('node:os');
      return { commits: result.commits.length, seen: samples.length, commitToVisible: distribution(samples), loadAvg1: round(loadavg()[0] ?? 0, 2) };
    } finally {
      off();
      await pipeline.stop();
      await deleteRedisKeys(stack.env.REDIS_URL, `${name}:`);
    }
  } finally {
    await source.close();
  }
}

/** (b) Changes/s folded into the views from the pre-filled topics; runs where it is called (the bench calls it in a reader process). */
export async function measurePipelineThroughput(
  factory: ThroughputPipelineFactory,
  input: PipelineInput & { readonly expected: number; readonly timeoutMs?: number; readonly observe?: (changes: number) => void },
): Promise<{ messages: number; elapsedMs: number; startupMs: number }> {
  const pipeline = await factory(input);
  const now = () => performance.now();
  let applied = 0;
  let first = 0;
  let last = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const off = pipeline.onApplied((n) => {
    const t = now();
    if (applied === 0) first = t;
    applied += n;
    last = t;
    input.observe?.(n);
    if (applied >= input.expected) finish();
  });
  const t0 = now();
  try {
    await pipeline.start();
    const timeoutMs = input.timeoutMs ?? 600_000;
    await Promise.race([done, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the pipeline applied ${applied} of ${input.expected} changes within ${timeoutMs} ms`)), timeoutMs).unref())]);
  } finally {
    off();
    await pipeline.stop();
    await deleteRedisKeys(input.redisUrl, input.keyPrefix);
  }
  return { messages: applied, elapsedMs: Math.round(last - first), startupMs: Math.round(first - t0) };
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
