import { requestBody } from './queries.ts';
import { percentile } from '../lib/stats.ts';
const token = (await import('node:fs')).readFileSync('/tmp/unics-token', 'utf8').trim();
const rows: Array<{ client: number; total: number; crm: number; shop: number; helpdesk: number }> = [];
const end = Date.now() + 9000;
await new Promise((r) => setTimeout(r, 500));
while (Date.now() < end) {
  const t0 = performance.now();
  const res = await fetch('http://127.0.0.1:17290/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-unics-explain': '1' }, body: requestBody('unics', 'profile') });
  const j = (await res.json()) as { extensions: { unics: { totalMs: number; sources: Record<string, { ms: number }> } } };
  const u = j.extensions.unics;
  rows.push({ client: performance.now() - t0, total: u.totalMs, crm: u.sources.crm!.ms, shop: u.sources.shop!.ms, helpdesk: u.sources.helpdesk!.ms });
  await new Promise((r) => setTimeout(r, 50));
}
for (const k of ['client', 'total', 'crm', 'shop', 'helpdesk'] as const) console.log(k, 'p50', percentile(rows.map((r) => r[k]), 50).toFixed(1), 'p90', percentile(rows.map((r) => r[k]), 90).toFixed(1), 'max', Math.max(...rows.map((r) => r[k])).toFixed(1), 'n', rows.length);
