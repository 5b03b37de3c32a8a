// One throughput contender in its own process: reads the pre-filled topics from the beginning with a fresh group
// until it has seen `expected` messages, and reports the rate (first message to last), its CPU time and peak RSS.
// Contenders: kafkajs eachBatch counting messages (the bare consumer), the same with JSON.parse of every value,
// the same with the CDC decoder (cdc/decode-change-event.ts), and @platformatic/kafka counting or parsing.
// Parent side: runThroughputReader(options) forks this file and resolves with the report.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeChangeEvent } from '../../cdc/decode-change-event.ts';

export const readerClients = ['kafkajs', 'kafkajs-parse', 'kafkajs-decode', 'platformatic', 'platformatic-parse', 'pipeline'] as const;
export type ReaderClient = (typeof readerClients)[number];

export interface ReaderOptions {
  readonly client: ReaderClient;
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly expected: number;
  /** kafkajs consumer settings (maxBytesPerPartition, maxBytes, partitionsConsumedConcurrently, ...). */
  readonly kafkajs?: Readonly<Record<string, number>>;
  /** @platformatic/kafka consume settings (maxBytes, maxWaitTime, highWaterMark, ...). */
  readonly platformatic?: Readonly<Record<string, number>>;
  readonly timeoutMs?: number;
  /** For client 'pipeline': the module (path from the repository root) exporting a ThroughputPipelineFactory, its
   * export name, and the Redis URL its views write to. */
  readonly pipeline?: { readonly module: string; readonly export: string; readonly redisUrl: string };
}

export interface ReaderReport {
  readonly client: ReaderClient;
  readonly messages: number;
  readonly bytes: number;
  /** From the first message to the last (ms): the rate's denominator. */
  readonly elapsedMs: number;
  /** From connecting to the first message (group join, first fetch). */
  readonly startupMs: number;
  readonly messagesPerSecond: number;
  readonly cpuMs: number;
  readonly peakRssMb: number;
}

const now = () => performance.now();

async function readWithKafkajs(o: ReaderOptions, onMessages: (n: number, bytes: number) => boolean): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'unics-bench-reader', brokers: [...o.brokers], logLevel: logLevel.NOTHING });
  const { partitionsConsumedConcurrently, ...consumerConfig } = o.kafkajs ?? {};
  const consumer = kafka.consumer({ groupId: o.groupId, ...consumerConfig });
  await consumer.connect();
  await consumer.subscribe({ topics: [...o.topics], fromBeginning: true });
  const parse = o.client === 'kafkajs-parse';
  const decode = o.client === 'kafkajs-decode';
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  await consumer.run({
    partitionsConsumedConcurrently: partitionsConsumedConcurrently ?? 1,
    eachBatch: async ({ batch }) => {
      let bytes = 0;
      for (const m of batch.messages) {
        if (m.value) bytes += m.value.length;
        if (parse && m.value) JSON.parse(m.value.toString('utf8'));
        else if (decode) decodeChangeEvent({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value });
      }
      if (onMessages(batch.messages.length, bytes)) finish();
    },
  });
  await done;
  await consumer.disconnect();
}

async function readWithPlatformatic(o: ReaderOptions, onMessages: (n: number, bytes: number) => boolean): Promise<void> {
  const { Consumer, MessagesStreamModes } = await import('@platformatic/kafka');
  const consumer = new Consumer({ clientId: 'unics-bench-reader', groupId: o.groupId, bootstrapBrokers: [...o.brokers] });
  const stream = await consumer.consume({ topics: [...o.topics], mode: MessagesStreamModes.EARLIEST, ...o.platformatic });
  const parse = o.client === 'platformatic-parse';
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (m: { value: Buffer | undefined }) => {
      const bytes = m.value?.length ?? 0;
      if (parse && m.value) JSON.parse(m.value.toString('utf8'));
      if (onMessages(1, bytes)) resolve();
    });
    stream.on('error', reject);
  });
  await stream.close();
  await consumer.close(true);
}

async function readWithPipeline(o: ReaderOptions, onMessages: (n: number, bytes: number) => boolean): Promise<void> {
  if (!o.pipeline) throw new Error("reader client 'pipeline' needs options.pipeline {module, export, redisUrl}");
  const { join } = await import('node:path');
  const { repoRoot } = await import('../lib/results.ts');
  const { measurePipelineThroughput } = await import('./pipeline-hooks.ts');
  const mod = (await import(join(repoRoot, o.pipeline.module))) as Record<string, unknown>;
  const factory = mod[o.pipeline.export];
  if (typeof factory !== 'function') throw new Error(`${o.pipeline.module} does not export a function ${o.pipeline.export}`);
  const [orders = '', orderItems = '', payments = ''] = ['orders', 'order_items', 'payments'].map((t) => o.topics.find((x) => x.endsWith(`.${t}`)));
  await measurePipelineThroughput(factory as Parameters<typeof measurePipelineThroughput>[0], {
    brokers: o.brokers, groupId: o.groupId, topics: { orders, orderItems, payments }, redisUrl: o.pipeline.redisUrl,
    keyPrefix: `${o.groupId}:`, expected: o.expected, observe: (n) => void onMessages(n, 0), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
  });
}

export async function runReader(o: ReaderOptions): Promise<ReaderReport> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  let first = 0;
  let last = 0;
  let messages = 0;
  let bytes = 0;
  const onMessages = (n: number, b: number): boolean => {
    const t = now();
    if (messages === 0) first = t;
    messages += n;
    bytes += b;
    last = t;
    return messages >= o.expected;
  };
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`${o.client}: read ${messages} of ${o.expected} messages within ${o.timeoutMs ?? 300_000} ms`)), o.timeoutMs ?? 300_000).unref());
  try {
    const read = o.client === 'pipeline' ? readWithPipeline : o.client.startsWith('platformatic') ? readWithPlatformatic : readWithKafkajs;
    await Promise.race([read(o, onMessages), timeout]);
  } finally {
    clearInterval(sampler);
  }
  const cpu = process.cpuUsage(cpu0);
  const elapsedMs = last - first;
  return {
    client: o.client,
    messages,
    bytes,
    elapsedMs: Math.round(elapsedMs),
    startupMs: Math.round(first - t0),
    messagesPerSecond: Math.round(messages / (elapsedMs / 1000)),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: Math.round(peakRss / 1024 / 1024),
  };
}

/** Runs one reader in its own process; resolves with its report. */
export function runThroughputReader(o: ReaderOptions): Promise<ReaderReport> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(o)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { PATH: process.env.PATH ?? '' } });
  return new Promise<ReaderReport>((resolve, reject) => {
    let report: ReaderReport | undefined;
    child.on('message', (m) => (report = m as ReaderReport));
    child.on('error', reject);
    child.on('exit', (code) => (report ? resolve(report) : reject(new Error(`reader ${o.client} exited with ${code} before reporting`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const { filterKnownWarnings } = await import('../../common/process-warnings.ts');
  filterKnownWarnings();
  runReader(JSON.parse(process.argv[2] ?? '{}') as ReaderOptions).then(
    (report) => process.send!(report, () => process.exit(0)),
    (err: unknown) => {
      process.stderr.write(`throughput reader: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
