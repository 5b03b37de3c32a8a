// The legacy simulators in their own process (`node examples/legacy/cli.ts --latency 2 --base-port N`), on four
// consecutive free ports.
import { join } from 'node:path';
import { canBind, freePort } from '../../stack/ports.ts';
import { repoRoot } from '../lib/results.ts';
import { probeReader } from './contenders.ts';
import type { ProcessStats } from './process-stats.ts';
import { startService, type ServiceProcess } from './service-process.ts';
import type { SourceName } from './upstream-counter.ts';

export interface RunningSimulators {
  readonly service: ServiceProcess;
  readonly urls: Readonly<Record<SourceName, string>>;
  /** With probeFile: ends the simulators' measurement window (process-probe.ts) and returns what they measured. */
  readonly processStats?: () => Promise<ProcessStats | undefined>;
}

async function fourFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = await freePort();
    if (base + 3 > 65535) continue;
    const free = await Promise.all([1, 2, 3].map((i) => canBind(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('found no four consecutive free loopback ports for the simulators');
}

export async function startSimulators(opts: { latencyMs: number; customers: number; probeFile?: string }): Promise<RunningSimulators> {
  const base = await fourFreePorts();
  const service = await startService({
    name: 'legacy simulators',
    args: [join(repoRoot, 'examples', 'legacy', 'cli.ts'), '--customers', String(opts.customers), '--latency', String(opts.latencyMs), '--base-port', String(base)],
    ready: (out) => out.includes('Warehouse'),
    readyTimeoutMs: 120_000,
    // The same probe as UniCS's: the simulators' own event-loop delay and GC pauses add to every contender's latency.
    ...(opts.probeFile ? { env: { UNICS_BENCH_PROBE_FILE: opts.probeFile }, nodeOptions: ['--import', join(repoRoot, 'bench', 'gateway', 'process-probe.ts')] } : {}),
  });
  const url = (offset: number) => `http://127.0.0.1:${base + offset}`;
  return { service, urls: { crm: url(0), shop: url(1), helpdesk: url(2), wms: url(3) }, ...(opts.probeFile ? { processStats: probeReader(service.pid, opts.probeFile) } : {}) };
}
