// CPU time used by a process tree (user + system, from /proc/<pid>/stat), so the benchmark can report CPU
// milliseconds per client request: work counted rather than timed, steadier than req/s on a shared machine.
import { readFileSync } from 'node:fs';
import { processTree } from './rss-sampler.ts';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux x86-64 and arm64). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime, in clock ticks, from the text of /proc/<pid>/stat (the command name may hold spaces and parens). */
export function parseStatCpuTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is the state (field 3 of proc(5)); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/** CPU seconds used so far by a process and its live descendants. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      ticks += parseStatCpuTicks(readFileSync(`/proc/${p}/stat`, 'utf8')) ?? 0;
    } catch {
      // exited between listing and reading
    }
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}
