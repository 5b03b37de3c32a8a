// The 4-process run: P UniCS chat processes sharing one PostgreSQL schema and the Redis fan-out, N sockets each.
// Load process i connects its visitors to process i and their agents to process i+1 (mod P), so every message
// crosses from one process to another through Redis, and every process holds N sockets (N/2 visitors, N/2 agents).
import { round } from '../lib/stats.ts';
import { startChatServer, startLoadProcess, type ChatServerProcess, type LoadProcess } from './chat-processes.ts';
import { connectAll, runPhases, type RunContext } from './chat-round.ts';
import type { PhaseSummary } from './load-protocol.ts';

export interface MultiResult {
  readonly processes: number;
  readonly connections: number;
  /** Sockets each process counted (its own /stats). */
  readonly sessionsPerProcess: readonly number[];
  readonly failedConversations: number;
  readonly firstFailures: readonly string[];
  readonly connectSeconds: number;
  readonly rssMbPerProcess: readonly number[];
  /** CPU time of the 4 server processes together per message, ms (latency phase; throughput phase). */
  readonly cpuMsPerMessage: { readonly latency: number; readonly throughput: number };
  readonly latency: PhaseSummary;
  readonly throughput: PhaseSummary;
  readonly persisted: number | undefined;
}

export async function runMultiProcess(processes: number, ctx: RunContext): Promise<MultiResult> {
  const s = ctx.settings;
  const servers: ChatServerProcess[] = [];
  const loaders: LoadProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startChatServer('unics', ctx.serverEnv.unics, `unics#${i + 1}`));
    for (let i = 0; i < processes; i++) loaders.push(startLoadProcess());
    ctx.progress(`multi: connecting ${processes} × ${s.connections} sockets`);
    const connected = await connectAll(
      loaders,
      loaders.map(() => Math.floor(s.connections / 2)),
      (i) => ({ visitorUrl: servers[i]!.url, agentUrl: servers[(i + 1) % processes]!.url }),
      ctx,
      `m${Date.now().toString(36)}`,
    );
    await new Promise((r) => setTimeout(r, s.settleMs));
    const stats = await Promise.all(servers.map((sv) => sv.stats()));
    const rss = await Promise.all(servers.map((sv) => sv.rss()));
    ctx.progress(`multi: ${connected.ready * 2} sockets open; latency at ${s.rate}/s across processes, then throughput`);
    const storedBefore = await ctx.storedMessages('unics');
    const cpu = () => servers.reduce((n, sv) => n + sv.cpuSeconds(), 0);
    const { latency, throughput, cpuMsPerMessage } = await runPhases(loaders, s, `M${Date.now().toString(36)}`, s.rate, cpu);
    const storedAfter = await ctx.storedMessages('unics');
    return {
      processes,
      connections: connected.ready * 2,
      sessionsPerProcess: stats.map((st) => (typeof st.sessions === 'number' ? st.sessions : Number.NaN)),
      failedConversations: connected.failed,
      firstFailures: connected.firstFailures,
      connectSeconds: round(connected.ms / 1000, 1),
      rssMbPerProcess: rss.map((b) => round(b / 1024 / 1024, 1)),
      cpuMsPerMessage,
      latency,
      throughput,
      persisted: storedBefore === undefined || storedAfter === undefined ? undefined : storedAfter - storedBefore,
    };
  } finally {
    await Promise.all(loaders.map((l) => l.close()));
    await Promise.all(servers.map((sv) => sv.stop()));
  }
}
