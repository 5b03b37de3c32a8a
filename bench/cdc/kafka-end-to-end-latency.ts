// The floor under every CDC latency figure: Kafka's own end-to-end latency on the same broker, measured by Kafka's
// tool (org.apache.kafka.tools.EndToEndLatency in kafka-tools, which the stack's Maven pom already resolves): one
// record produced and acknowledged (linger 0), then consumed (fetch.max.wait.ms 0, a busy poll), one at a time.
// Its percentiles are whole milliseconds, truncated. A kafkajs ping (kafkajs-ping.ts) shows the same for Node.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jvmArgs, log4jProperties } from '../../stack/services/kafka.ts';

export interface EndToEndLatencyResult {
  readonly records: number;
  readonly recordBytes: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

/** Reads the tool's summary lines ("Avg latency: 0.9123 ms", "Percentiles: 50th = 0, 99th = 2, 99.9th = 5"). */
export function parseEndToEndLatency(stdout: string): Omit<EndToEndLatencyResult, 'records' | 'recordBytes'> {
  const avg = /Avg latency:\s*([\d.]+)\s*ms/.exec(stdout);
  const pct = /Percentiles:\s*50th\s*=\s*(\d+),\s*99th\s*=\s*(\d+),\s*99\.9th\s*=\s*(\d+)/.exec(stdout);
  if (!avg || !pct) throw new Error(`EndToEndLatency printed no summary; expected "Avg latency: ... ms" and "Percentiles: ...", got:\n${stdout.slice(-1500)}`);
  return { avgMs: Number(avg[1]), p50Ms: Number(pct[1]), p99Ms: Number(pct[2]), p999Ms: Number(pct[3]) };
}

export async function runKafkaEndToEndLatency(o: {
  java: string;
  kafkaLibs: string;
  brokers: readonly string[];
  topic: string;
  records: number;
  recordBytes: number;
  acks?: '1' | 'all';
}): Promise<EndToEndLatencyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'unics-e2e-latency-'));
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(log4j, log4jProperties('WARN'));
  try {
    const args = [
      ...jvmArgs(256, log4j), '-cp', `${o.kafkaLibs}/*`, 'org.apache.kafka.tools.EndToEndLatency',
      '--bootstrap-server', o.brokers.join(','), '--topic', o.topic, '--num-records', String(o.records),
      '--producer-acks', o.acks ?? '1', '--record-size', String(o.recordBytes),
    ];
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(o.java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    if (code !== 0) throw new Error(`EndToEndLatency exited with ${code}:\n${stderr || stdout.slice(-2000)}`);
    return { records: o.records, recordBytes: o.recordBytes, ...parseEndToEndLatency(stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
