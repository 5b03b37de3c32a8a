// npm run bench -- cdc [--quick] [--tune] [--only=kafka,debezium,freshness,throughput] [--rounds=N] [--duration=S] [--changes=N]
//
// Issue 5's benchmark on the real stack (see README.md here): (a) freshness at a steady 1,000 changes/s, with the
// floors under it — Kafka's EndToEndLatency tool and a kafkajs ping on the same broker, and PostgreSQL commit ->
// Debezium -> a bare kafkajs consumer — and, once wired, commit -> visible through GraphQL via UniCS views;
// (b) throughput over 1,000,000 pre-filled changes: bare kafkajs, kafkajs + JSON.parse, kafkajs + the CDC decoder,
// @platformatic/kafka and, once wired, the view pipeline. `--tune` runs the Debezium tuning matrix instead.
//
// The view pipeline plugs in through bench/cdc/view-pipeline-contender.ts (see pipeline-hooks.ts): when that file
// exists and exports createFreshnessPipeline / createThroughputPipeline, they are measured and the `bench:cdc`
// section of bench/RESULTS.md is written; until then the section is printed only.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { versions as stackVersions } from '../../stack/settings.ts';
import { updateResultsSection } from '../lib/results-md.ts';
import { repoRoot, versions, writeRawResults } from '../lib/results.ts';
import { markdownTable, round } from '../lib/stats.ts';
import { openBenchStack } from './bench-stack.ts';
import { resultsSection, type CdcMeasurements } from './cdc-report.ts';
import { measureDebeziumLatency, type DebeziumLatencyRun } from './debezium-latency.ts';
import { runDebeziumTuning } from './debezium-tuning.ts';
import { runKafkaEndToEndLatency, type EndToEndLatencyResult } from './kafka-end-to-end-latency.ts';
import { runKafkajsPing, type PingResult } from './kafkajs-ping.ts';
import { measurePipelineFreshness, type FreshnessPipelineFactory, type FreshnessResult } from './pipeline-hooks.ts';
import { defaultContenders, runThroughput, type ThroughputContender } from './throughput.ts';

const CONTENDER_MODULE = 'bench/cdc/view-pipeline-contender.ts';
const phases = ['kafka', 'debezium', 'freshness', 'throughput'] as const;

function option(args: string[], name: string): string | undefined {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

async function viewPipeline(): Promise<{ freshness?: FreshnessPipelineFactory; throughput: boolean } | undefined> {
  if (!existsSync(join(repoRoot, CONTENDER_MODULE))) return undefined;
  const mod = (await import(join(repoRoot, CONTENDER_MODULE))) as { createFreshnessPipeline?: FreshnessPipelineFactory; createThroughputPipeline?: unknown };
  return { ...(mod.createFreshnessPipeline ? { freshness: mod.createFreshnessPipeline } : {}), throughput: typeof mod.createThroughputPipeline === 'function' };
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const only = (option(args, 'only')?.split(',') ?? [...phases]) as Array<(typeof phases)[number]>;
  const rounds = Number(option(args, 'rounds') ?? (quick ? 1 : 2));
  const durationMs = Number(option(args, 'duration') ?? (quick ? 8 : 30)) * 1000;
  const changes = Number(option(args, 'changes') ?? (quick ? 100_000 : 1_000_000));
  const t0 = Date.now();
  const progress = (m: string) => process.stderr.write(`[cdc +${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}\n`);
  const stack = await openBenchStack(progress);
  const load: number[] = [];
  const noteLoad = () => load.push(round(loadavg()[0] ?? 0, 2));
  try {
    if (args.includes('--tune')) {
      const tuning = await runDebeziumTuning(stack, { rounds, durationMs: quick ? 8_000 : 20_000, idleMs: quick ? 3_000 : 8_000, ...(option(args, 'variants') ? { only: option(args, 'variants')!.split(',') } : {}), progress });
      if (!quick) progress(`raw results: ${writeRawResults('cdc-tuning', { date: new Date().toISOString(), versions: versions(), ...tuning })}`);
      process.stdout.write(`${markdownTable(tuning.rows.map((r) => ({ ...r, idleConnectorCpuMsPerS: r.idleConnectorCpuMsPerS ?? '–' })))}\n`);
      return;
    }
    const pipeline = await viewPipeline();
    const kafkaTool: EndToEndLatencyResult[] = [];
    const kafkajsPing: PingResult[] = [];
    const debezium: DebeziumLatencyRun[] = [];
    const freshness: FreshnessResult[] = [];
    if (only.includes('kafka')) {
      for (let r = 1; r <= rounds; r++) {
        const tool = async () => {
          for (const recordBytes of [100, 1000]) {
            const topic = `bench_cdc_e2e_${Date.now().toString(36)}`;
            const res = await runKafkaEndToEndLatency({ java: stack.java, kafkaLibs: stack.kafkaLibs, brokers: stack.brokers, topic, records: quick ? 2_000 : 10_000, recordBytes });
            await deleteTopic(stack.brokers, topic);
            kafkaTool.push(res);
            noteLoad();
            progress(`round ${r} EndToEndLatency ${recordBytes} B: p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms, avg ${res.avgMs} ms`);
          }
        };
        const ping = async () => {
          const res = await runKafkajsPing({ brokers: stack.brokers, topic: `bench_cdc_ping_${Date.now().toString(36)}`, records: quick ? 2_000 : 10_000, recordBytes: 1000 });
          kafkajsPing.push(res);
          noteLoad();
          progress(`round ${r} kafkajs ping: p50 ${res.p50Ms} ms, p99 ${res.p99Ms} ms`);
        };
        for (const run of r % 2 === 1 ? [tool, ping] : [ping, tool]) await run();
      }
    }
    const withViews = only.includes('freshness') && pipeline?.freshness;
    for (let r = 1; r <= rounds && (only.includes('debezium') || withViews); r++) {
      const floor = async () => {
        if (!only.includes('debezium')) return;
        const run = await measureDebeziumLatency(stack, { label: 'debezium', durationMs, idleMs: quick ? 3_000 : 8_000, progress });
        debezium.push(run);
        noteLoad();
        progress(`round ${r} Debezium floor: p50 ${run.latency.commitToConsumed.p50} ms, p99 ${run.latency.commitToConsumed.p99} ms (writer ${run.writer.achievedRate}/s)`);
      };
      const views = async () => {
        if (!withViews) return;
        const res = await measurePipelineFreshness(pipeline.freshness!, stack, { durationMs, progress });
        freshness.push(res);
        noteLoad();
        progress(`round ${r} UniCS views: commit -> visible p50 ${res.commitToVisible.p50} ms, p99 ${res.commitToVisible.p99} ms`);
      };
      for (const run of r % 2 === 1 ? [floor, views] : [views, floor]) await run();
    }
    let throughput: CdcMeasurements['throughput'] = null;
    let throughputRaw: unknown = null;
    if (only.includes('throughput')) {
      const contenders: ThroughputContender[] = [...defaultContenders];
      if (pipeline?.throughput) contenders.push({ name: 'UniCS view pipeline', client: 'pipeline', pipeline: { module: CONTENDER_MODULE, export: 'createThroughputPipeline' } });
      const tp = await runThroughput(stack, { changes, rounds, contenders, progress });
      noteLoad();
      throughput = { rows: tp.rows, changes: tp.prefill.changes, prefillMs: tp.prefill.elapsedMs };
      throughputRaw = tp;
    }
    const date = new Date().toISOString();
    const env = versions({ kafka: stackVersions.kafka, debezium: stackVersions.debezium, kafkajs: packageVersion('kafkajs'), '@platformatic/kafka': packageVersion('@platformatic/kafka') });
    const raw = { date, versions: env, args, loadAvg1: load, kafkaTool, kafkajsPing, debezium, freshness, throughput: throughputRaw };
    const rawFile = quick ? '(not written: --quick)' : writeRawResults('cdc', raw).slice(repoRoot.length + 1);
    const section = resultsSection({ command: `npm run bench -- cdc${args.length ? ` ${args.join(' ')}` : ''}`, date: date.slice(0, 10), versions: env, loadAvg1: load.length ? load : [round(loadavg()[0] ?? 0, 2)], kafkaTool, kafkajsPing, debezium, freshness, throughput, rawFile });
    if (pipeline && !quick) updateResultsSection('cdc', 'CDC: freshness and throughput (issue 5)', section);
    else progress(pipeline ? '--quick: bench/RESULTS.md left as it is' : `no ${CONTENDER_MODULE} yet: bench/RESULTS.md left as it is (the section is printed below)`);
    process.stdout.write(`${section}\n`);
  } finally {
    await stack.close();
  }
}

async function deleteTopic(brokers: readonly string[], topic: string): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'unics-bench-cdc-cleanup', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
