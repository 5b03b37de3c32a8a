// docs/grafana-dashboard.json stays importable and in step with the metrics the code registers: every metric it
// queries is registered by the connectors or the gateway (with the labels the queries use), or is one of the names
// DESIGN.md plans for later issues; every panel uses the ${DS_PROMETHEUS} datasource variable; panels do not overlap.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerConnectorMetrics } from '../../connectors/connector-metrics.ts';
import { createConnectorEmitter } from '../../connectors/index.ts';
import { createMetricsPlugin } from '../apollo-plugins.ts';

/** Named in DESIGN.md, registered by issues still to come (CDC, views, chat). Remove a name once it is registered. */
const PLANNED = ['unics_cdc_events_total', 'unics_cdc_lag_seconds', 'unics_view_freshness_seconds', 'unics_chat_connections'];
/** Labels Prometheus adds when scraping, plus the histogram bucket label. */
const SCRAPE_LABELS = ['instance', 'job', 'pod'];

interface Target {
  readonly expr: string;
  readonly refId: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly schemaVersion: number;
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly { name: string; type: string; query: unknown; datasource?: { uid: string } }[] };
}

const dashboard = JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/grafana-dashboard.json'), 'utf8')) as Dashboard;
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Series names the code registers, mapped to their label names (a histogram gives _bucket, _sum and _count). */
async function registeredSeries(): Promise<Map<string, readonly string[]>> {
  const registry = new Registry();
  registerConnectorMetrics(createConnectorEmitter(), registry);
  createMetricsPlugin(registry);
  const series = new Map<string, readonly string[]>();
  for (const { name, type } of await registry.getMetricsAsJSON()) {
    const labels = (registry.getSingleMetric(name) as unknown as { labelNames: readonly string[] }).labelNames;
    if (String(type) === 'histogram') {
      series.set(`${name}_bucket`, [...labels, 'le']);
      series.set(`${name}_sum`, labels);
      series.set(`${name}_count`, labels);
    } else {
      series.set(name, labels);
    }
  }
  return series;
}

const metricsIn = (expr: string) => [...new Set(expr.match(/\bunics_[a-z0-9_]+\b/g) ?? [])];

describe('docs/grafana-dashboard.json', () => {
  it('is a Grafana dashboard with a Prometheus datasource variable used by every panel and query', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.uid).toBe('unics-overview');
    const ds = dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(panels.length).toBeGreaterThanOrEqual(15);
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource, p.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
    }
    for (const v of dashboard.templating.list.filter((t) => t.type === 'query')) expect(v.datasource?.uid).toBe('${DS_PROMETHEUS}');
  });

  it('has unique panel ids and a layout without overlaps inside 24 columns', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps another panel at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
      }
    }
  });

  it('queries only metrics the code registers (with their labels) or DESIGN.md plans', async () => {
    const series = await registeredSeries();
    const unknown = exprs.flatMap(({ panel, expr }) => metricsIn(expr).filter((m) => !series.has(m) && !PLANNED.includes(m)).map((m) => `${panel}: ${m}`));
    expect(unknown).toEqual([]);

    // Label matchers and `by (...)` groupings name labels the queried metrics really have.
    const problems: string[] = [];
    for (const { panel, expr } of exprs) {
      const metrics = metricsIn(expr);
      if (metrics.some((m) => PLANNED.includes(m))) continue; // their labels are not decided yet
      const labels = new Set([...SCRAPE_LABELS, ...metrics.flatMap((m) => series.get(m) ?? [])]);
      for (const [, metric, matchers] of expr.matchAll(/(unics_[a-z0-9_]+)\{([^}]*)\}/g)) {
        for (const [, label] of matchers!.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)) {
          if (!(series.get(metric!) ?? []).includes(label!)) problems.push(`${panel}: ${metric} has no label "${label}"`);
        }
      }
      for (const [, list] of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
        for (const label of list!.split(',').map((l) => l.trim()).filter(Boolean)) {
          if (!labels.has(label)) problems.push(`${panel}: groups by "${label}", which ${metrics.join(', ')} does not have`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('covers the issue\'s panels, and marks the ones waiting for later issues', () => {
    const queried = new Set(exprs.flatMap(({ expr }) => metricsIn(expr)));
    for (const name of [
      'unics_graphql_operations_total',
      'unics_graphql_duration_seconds_bucket',
      'unics_connector_requests_total',
      'unics_connector_duration_seconds_bucket',
      'unics_connector_breaker_state',
      'unics_connector_cache_total',
      'unics_connector_singleflight_shared_total',
      'unics_connector_batch_size_bucket',
      ...PLANNED,
    ]) {
      expect(queried.has(name), name).toBe(true);
    }
    for (const p of panels.filter((panel) => (panel.targets ?? []).some((t) => metricsIn(t.expr).some((m) => PLANNED.includes(m))))) {
      expect(p.description, p.title).toMatch(/^Available once the CDC\/chat issues land/);
    }
    expect(exprs.find((e) => e.expr.includes('unics_connector_duration_seconds_bucket'))?.expr).toMatch(/^histogram_quantile\(0\.99, sum by \(le, connector\)/);
  });
});
