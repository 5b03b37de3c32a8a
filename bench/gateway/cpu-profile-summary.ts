// Where a process spends its CPU: a V8 .cpuprofile (node --cpu-prof) summarised by self time per area — a package
// under node_modules, a top-level folder of this repository, a Node.js internal module, GC, idle — and the
// functions with the most self time. Pure; used by the gateway benchmark's --profile mode.

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Profiled wall time, ms. */
  readonly totalMs: number;
  /** Self time by area, ms, largest first (idle included). */
  readonly byArea: ReadonlyArray<{ area: string; ms: number; share: number }>;
  /** Functions with the most self time. */
  readonly topFunctions: ReadonlyArray<{ fn: string; area: string; ms: number; share: number }>;
  /** Self time of native functions (no script URL, GC and idle excluded) by their nearest JavaScript caller. */
  readonly nativeByCaller: ReadonlyArray<{ native: string; caller: string; ms: number }>;
}

/** The area a script URL belongs to: a package, a repository folder, a node: internal group, or a V8 pseudo-node. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return 'V8/native';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:internal/')) {
    const parts = url.slice('node:internal/'.length).split('/');
    return `node:${parts[0] === 'deps' ? (parts[1] ?? 'deps') : (parts[0] ?? '')}`;
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(app|gateway|schema|connectors|common|materialized-views|cdc|chat|examples|bench)\//.exec(url);
  return m ? `unics ${m[1]}/` : url.replace(/^file:\/\//, '');
}

export function summarizeCpuProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const fns = new Map<string, { area: string; us: number }>();
  for (const [id, us] of self) {
    const n = byNode.get(id);
    if (!n) continue;
    const area = areaOf(n.callFrame.url, n.callFrame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const file = n.callFrame.url.split('/').slice(-2).join('/');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${file}:${n.callFrame.lineNumber + 1}`;
    const f = fns.get(key) ?? { area, us: 0 };
    f.us += us;
    fns.set(key, f);
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: CpuProfile['nodes'][number]) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  const native = new Map<string, { native: string; caller: string; us: number }>();
  for (const [id, us] of self) {
    const n = byNode.get(id);
    if (!n || n.callFrame.url !== '' || n.callFrame.functionName.startsWith('(')) continue;
    let p = parent.get(id);
    while (p !== undefined && byNode.get(p)?.callFrame.url === '') p = parent.get(p);
    const caller = p === undefined ? '(root)' : label(byNode.get(p)!);
    const key = `${n.callFrame.functionName}\u0000${caller}`;
    const e = native.get(key) ?? { native: n.callFrame.functionName, caller, us: 0 };
    e.us += us;
    native.set(key, e);
  }
  const share = (us: number) => (totalUs > 0 ? us / totalUs : 0);
  return {
    totalMs: totalUs / 1000,
    byArea: [...areas].map(([area, us]) => ({ area, ms: us / 1000, share: share(us) })).sort((a, b) => b.ms - a.ms),
    topFunctions: [...fns]
      .map(([fn, v]) => ({ fn, area: v.area, ms: v.us / 1000, share: share(v.us) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top),
    nativeByCaller: [...native.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 8)
      .map((e) => ({ native: e.native, caller: e.caller, ms: e.us / 1000 })),
  };
}
