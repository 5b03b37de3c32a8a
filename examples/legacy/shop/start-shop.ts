// Starts a seeded Shop in one call: the database (PGlite in process unless one is given), the demo data, and the
// SOAP simulator listening on loopback. Used by the embedded demo, tests and benchmarks.
import type { Clock } from '../../../common/clock.ts';
import { generateDemoData, type DemoData } from '../demo-data.ts';
import type { Simulator } from '../simulator-kit.ts';
import { createPgliteShopDatabase, type ShopDatabase } from './shop-database.ts';
import { seedShopDatabase, type SeedReport } from './shop-seed.ts';
import { createShopSimulator } from './shop-simulator.ts';

export interface StartShopOptions {
  /** The database to seed and serve; default a new in-process PGlite (closed by `close()`). */
  readonly db?: ShopDatabase;
  /** The demo data; default generateDemoData({ customers }). */
  readonly data?: DemoData;
  /** Customers to generate when no data is given. Default 10,000. */
  readonly customers?: number;
  /** Port to listen on; default 0 (a free port). The demo uses 7002. */
  readonly port?: number;
  /** Skip seeding (the database already holds the data). */
  readonly seed?: boolean;
  readonly progress?: (message: string) => void;
  /** The simulator's clock (refunds stamp it). Default the system clock. */
  readonly clock?: Clock;
}

export interface RunningShop {
  readonly sim: Simulator;
  readonly db: ShopDatabase;
  readonly data: DemoData;
  readonly seed: SeedReport | undefined;
  /** Base URL, e.g. http://127.0.0.1:7002; the WSDL is at `${url}/shop?wsdl`. */
  readonly url: string;
  readonly wsdlUrl: string;
  /** Stops the simulator, and closes the database when this call created it. */
  close(): Promise<void>;
}

export async function startShop(opts: StartShopOptions = {}): Promise<RunningShop> {
  const data = opts.data ?? generateDemoData({ customers: opts.customers ?? 10_000 });
  const ownDb = opts.db === undefined;
  const db = opts.db ?? (await createPgliteShopDatabase());
  try {
    const seed = opts.seed === false ? undefined : await seedShopDatabase(db, data, opts.progress ? { progress: opts.progress } : {});
    const sim = createShopSimulator({ db, ...(opts.clock ? { clock: opts.clock } : {}) });
    const url = await sim.listen(opts.port ?? 0);
    return {
      sim, db, data, seed, url,
      wsdlUrl: `${url}/shop?wsdl`,
      async close() {
        await sim.close();
        if (ownDb) await db.close();
      },
    };
  } catch (err) {
    if (ownDb) await db.close();
    throw err;
  }
}
