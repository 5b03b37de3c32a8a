// Resident memory of a process and its descendants, sampled from /proc (Linux): VmRSS of each process in the tree,
// summed. The peak is what the benchmark reports; samples are tagged with the phase running at the time.
import { readFileSync, readdirSync } from 'node:fs';

/** VmRSS in kB from the text of /proc/<pid>/status; undefined when the line is missing (a zombie, a kernel thread). */
export function parseVmRssKb(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

/** The pid and all its descendants (from /proc/<pid>/task/<tid>/children); [] when the process is gone. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tasks) {
      let children: string;
      try {
        children = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.split(/\s+/).filter(Boolean)) visit(Number(c));
    }
  };
  visit(pid);
  return out;
}

/** Current RSS of a process tree in bytes; 0 when the process is gone. */
export function treeRssBytes(pid: number): number {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      kb += parseVmRssKb(readFileSync(`/proc/${p}/status`, 'utf8')) ?? 0;
    } catch {
      // exited between listing and reading
    }
  }
  return kb * 1024;
}

export interface RssSampler {
  /** Tags the following samples (e.g. "unics profile throughput round 1"). */
  setPhase(phase: string): void;
  /** Peak bytes over all samples, or over the samples of phases starting with the prefix. */
  peak(phasePrefix?: string): number;
  stop(): void;
}

/** Samples one process tree every intervalMs (default 100 ms). */
export function createRssSampler(pid: number, intervalMs = 100, read: (pid: number) => number = treeRssBytes): RssSampler {
  const peaks = new Map<string, number>();
  let phase = 'start';
  const sample = () => {
    const rss = read(pid);
    peaks.set(phase, Math.max(peaks.get(phase) ?? 0, rss));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    setPhase(p) {
      sample();
      phase = p;
    },
    peak(prefix = '') {
      let max = 0;
      for (const [p, v] of peaks) if (p.startsWith(prefix)) max = Math.max(max, v);
      return max;
    },
    stop() {
      sample();
      clearInterval(timer);
    },
  };
}
