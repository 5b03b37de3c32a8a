// Starts the four legacy simulators on one shared demo data set: the CRM (REST + OAuth2), the Shop (SOAP over
// PostgreSQL or PGlite), the Helpdesk (GraphQL) and the Warehouse (XML). Used by the embedded demo, `npm run legacy`,
// tests and benchmarks.
import type { Clock } from '../../common/clock.ts';
import { createCrmSimulator, type CrmSimulator } from './crm/index.ts';
import { generateDemoData, type DemoData } from './demo-data.ts';
import { createHelpdeskSimulator, type HelpdeskSimulator } from './helpdesk/index.ts';
import { startShop, type RunningShop, type ShopDatabase } from './shop/index.ts';
import type { SimulatorKnobs } from './simulator-kit.ts';
import { createWmsSimulator, type WmsSimulator } from './wms/index.ts';

export const DEFAULT_BASE_PORT = 7001;

export interface LegacySystemsOptions {
  /** The demo data; default generateDemoData({ customers }). */
  readonly data?: DemoData;
  /** Customers to generate when no data is given. Default 10,000. */
  readonly customers?: number;
  /**
   * First port: the CRM listens on it, the Shop on +1, the Helpdesk on +2, the Warehouse on +3.
   * 0 (the default) gives each a free port; the demo uses 7001.
   */
  readonly basePort?: number;
  /** The Shop's database; default an in-process PGlite. A PostgreSQL one is seeded (schema `shop` is recreated). */
  readonly shopDb?: ShopDatabase;
  /** Knobs applied to every simulator at start, e.g. { latencyMs: 2 } for benchmarks. */
  readonly knobs?: Partial<SimulatorKnobs>;
  readonly clock?: Clock;
  readonly progress?: (message: string) => void;
}

export interface LegacySystems {
  readonly data: DemoData;
  readonly crm: CrmSimulator;
  readonly shop: RunningShop;
  readonly helpdesk: HelpdeskSimulator;
  readonly wms: WmsSimulator;
  /** Base URLs: crm (REST API at /api/v1, token at /oauth/token), shop (WSDL at /shop?wsdl), helpdesk (/graphql), wms (/idoc/shipments). */
  readonly urls: { readonly crm: string; readonly shop: string; readonly helpdesk: string; readonly wms: string };
  /** Upstream requests served, per system (control endpoints excluded). */
  requestCounts(): { crm: number; shop: number; helpdesk: number; wms: number };
  resetStats(): void;
  close(): Promise<void>;
}

export async function startLegacySystems(opts: LegacySystemsOptions = {}): Promise<LegacySystems> {
  const progress = opts.progress ?? (() => {});
  const data = opts.data ?? generateDemoData({ customers: opts.customers ?? 10_000 });
  const base = opts.basePort ?? 0;
  const port = (offset: number) => (base === 0 ? 0 : base + offset);
  const clockOpt = opts.clock ? { clock: opts.clock } : {};
  const knobs = opts.knobs ?? {};
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    progress(`seeding the Shop database with ${data.orders.length} orders`);
    const shop = await startShop({ data, port: port(1), progress, ...clockOpt, ...(opts.shopDb ? { db: opts.shopDb } : {}) });
    started.push(shop);
    Object.assign(shop.sim.knobs, knobs);
    const crm = createCrmSimulator({ data, knobs, ...clockOpt });
    const crmUrl = await crm.listen(port(0));
    started.push(crm);
    const helpdesk = createHelpdeskSimulator({ data, knobs, ...clockOpt });
    const helpdeskUrl = await helpdesk.listen(port(2));
    started.push(helpdesk);
    const wms = createWmsSimulator({ data, knobs, ...clockOpt });
    const wmsUrl = await wms.listen(port(3));
    started.push(wms);
    const sims = [crm, shop.sim, helpdesk, wms];
    return {
      data, crm, shop, helpdesk, wms,
      urls: { crm: crmUrl, shop: shop.url, helpdesk: helpdeskUrl, wms: wmsUrl },
      requestCounts: () => ({ crm: crm.stats.requests, shop: shop.sim.stats.requests, helpdesk: helpdesk.stats.requests, wms: wms.stats.requests }),
      resetStats: () => sims.forEach((s) => s.resetStats()),
      async close() {
        await Promise.allSettled(started.reverse().map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.allSettled(started.reverse().map((s) => s.close()));
    if (err instanceof Error && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`a legacy simulator could not listen: ${err.message}. Another process uses one of the ports ${base}-${base + 3}; choose another base port.`, { cause: err });
    }
    throw err;
  }
}
