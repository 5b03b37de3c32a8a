// A steady writer in its own process (load never comes from the process being measured): commits single-row
// changes to the benchmark's copy of shop.orders at a fixed rate (open loop: change i is due at start + i/rate,
// whatever the commits before it took), over a few connections so one slow commit does not hold the schedule.
// Each change is its own transaction; the writer records its transaction id and its own clock right after the
// commit returned (the statement runs in autocommit, so its result arrives after COMMIT).
//
// Parent side: startSteadyWriter(options) forks this file and resolves with the commits.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface SteadyWriterOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  /** Changes per second. */
  readonly rate: number;
  readonly durationMs: number;
  /** Orders that exist already (O0000001..), updated by 75 % of the changes; the rest insert new orders. */
  readonly existingOrders: number;
  readonly connections?: number;
  /** PostgreSQL's synchronous_commit for the writer's sessions (on: COMMIT returns once the WAL is flushed). */
  readonly synchronousCommit?: 'on' | 'off' | 'local';
  /** Insert ids start above this, so several runs on one table never collide. */
  readonly firstNewOrder?: number;
  /** Changes touch only customers K0000001..K<customers> (and their orders); default 10,000. A freshness probe
   * that watches customers one by one may want fewer. Existing order O<n> belongs to customer ((n-1) % 10,000) + 1. */
  readonly customers?: number;
}

/** One committed change: its transaction id (as Debezium's source.txId), when it was sent and when COMMIT returned (ms since epoch, fractional). */
export interface Commit {
  readonly txId: number;
  readonly op: 'c' | 'u';
  readonly orderId: string;
  readonly customerNo: string;
  /** The row's new updated_at in microseconds since the epoch: with orderId, what a reader of the view can match. */
  readonly updatedAtUs: number;
  readonly sentAt: number;
  readonly committedAt: number;
}

export interface WriterResult {
  readonly commits: Commit[];
  readonly errors: number;
  /** How late the last change started against its schedule (ms): large means the writer could not keep the rate. */
  readonly maxLatenessMs: number;
  readonly elapsedMs: number;
}

const STATUSES = ['paid', 'shipped', 'delivered', 'refunded', 'pending'] as const;
const now = () => performance.timeOrigin + performance.now();

export async function runSteadyWriter(o: SteadyWriterOptions): Promise<WriterResult> {
  const clients = await Promise.all(
    Array.from({ length: o.connections ?? 4 }, async () => {
      const c = new pg.Client({ connectionString: o.databaseUrl });
      await c.connect();
      await c.query(`set synchronous_commit = ${o.synchronousCommit ?? 'on'}`);
      return c;
    }),
  );
  const update = `update ${o.schema}.orders set status = $2, updated_at = now() where id = $1 returning txid_current()::text as tx, customer_no, (extract(epoch from updated_at) * 1000000)::bigint::text as us`;
  const insert = `insert into ${o.schema}.orders (id, customer_no, status, total_cents, currency, created_at, updated_at)
                  values ($1, $2, 'pending', $3, 'EUR', now(), now())
                  returning txid_current()::text as tx, customer_no, (extract(epoch from updated_at) * 1000000)::bigint::text as us`;
  const total = Math.round((o.rate * o.durationMs) / 1000);
  const interval = 1000 / o.rate;
  const commits: Commit[] = [];
  let next = 0;
  let errors = 0;
  let maxLateness = 0;
  let newOrder = o.firstNewOrder ?? 5_000_000;
  // A cheap deterministic sequence, so every run writes the same mix.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const customers = Math.min(o.customers ?? 10_000, 10_000);
  // Existing orders of the chosen customers: O<k> with (k-1) % 10,000 < customers.
  const pickExisting = () => {
    const rounds = Math.max(1, Math.floor(o.existingOrders / 10_000));
    return 1 + Math.floor(rand() * Math.min(customers, o.existingOrders)) + 10_000 * Math.floor(rand() * rounds);
  };
  const start = now() + 50;
  await Promise.all(
    clients.map(async (client) => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const due = start + i * interval;
        const wait = due - now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        maxLateness = Math.max(maxLateness, now() - due);
        const isInsert = rand() < 0.25;
        const orderId = isInsert ? `O${++newOrder}` : `O${String(pickExisting()).padStart(7, '0')}`;
        const sentAt = now();
        try {
          const res = isInsert
            ? await client.query(insert, [orderId, `K${String(1 + Math.floor(rand() * customers)).padStart(7, '0')}`, 1000 + Math.floor(rand() * 50_000)])
            : await client.query(update, [orderId, STATUSES[Math.floor(rand() * STATUSES.length)]]);
          const committedAt = now();
          const row = res.rows[0] as { tx: string; customer_no: string; us: string } | undefined;
          // txid_current() carries the epoch in its upper 32 bits; Debezium's source.txId is the plain xid.
          if (row) commits.push({ txId: Number(BigInt(row.tx) & 0xffffffffn), op: isInsert ? 'c' : 'u', orderId, customerNo: row.customer_no, updatedAtUs: Number(row.us), sentAt, committedAt });
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsedMs = now() - start;
  await Promise.all(clients.map((c) => c.end()));
  return { commits, errors, maxLatenessMs: maxLateness, elapsedMs };
}

/** Runs the writer in a child process; resolves with its result. */
export function startSteadyWriter(o: SteadyWriterOptions): { pid: number; done: Promise<WriterResult> } {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(o)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { PATH: process.env.PATH ?? '' } });
  const done = new Promise<WriterResult>((resolve, reject) => {
    let result: WriterResult | undefined;
    child.on('message', (m) => (result = m as WriterResult));
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`the steady writer exited with ${code} before reporting`))));
  });
  return { pid: child.pid!, done };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const options = JSON.parse(process.argv[2] ?? '{}') as SteadyWriterOptions;
  runSteadyWriter(options).then(
    (result) => process.send!(result, () => process.exit(0)),
    (err: unknown) => {
      process.stderr.write(`steady writer: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
