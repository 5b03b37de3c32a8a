// Crash recovery on the real stack: a writer makes 10,000 row changes in PostgreSQL (and CRM mapping changes on Kafka)
// while the view pipeline runs in a process of its own; the pipeline is SIGKILLed mid-stream and restarted. When
// everything is consumed, every view must equal what the source tables say — compared in full, not sampled.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueName, waitFor } from '../test/support/wait-for.ts';
import { projectRecord } from './project-change.ts';
import { createRedisViewStore } from './redis-view-store.ts';
import { createIsolatedSources, type IsolatedSources } from './test-support/isolated-sources.ts';
import { parseViewDoc, type ViewStore } from './view-store.ts';

const env = inject('stackEnv');
const CHANGES = 10_000;
const CUSTOMERS = 200;
const script = fileURLToPath(new URL('./test-support/pipeline-process.ts', import.meta.url));

type Row = Record<string, unknown>;

/** A small seeded generator, so a failing run can be repeated. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

let src: IsolatedSources;
let redis: Redis;
let store: ViewStore;
let child: ChildProcess | undefined;
let groupId: string;

function startPipeline(): Promise<{ proc: ChildProcess; applied: () => number }> {
  const proc = spawn(process.execPath, [script, JSON.stringify({
    brokers: env.KAFKA_BROKERS.split(','), redisUrl: env.REDIS_URL, groupId, tenant: src.tenant, shopSchema: src.shopSchema, crmSchema: src.crmSchema, topics: src.topics,
  })], { stdio: ['ignore', 'pipe', 'inherit'] });
  child = proc;
  let applied = 0;
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line === 'ready') resolve({ proc, applied: () => applied });
        const m = /^applied (\d+)$/.exec(line);
        if (m) applied = Number(m[1]);
      }
    });
  });
}

beforeAll(async () => {
  src = await createIsolatedSources(env);
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  store = createRedisViewStore({ redis, definition: src.definition });
  groupId = uniqueName('views-crash');
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await store?.clear(src.tenant);
  await redis?.quit();
  await src?.close();
});

describe('views after a SIGKILL of the pipeline mid-stream', () => {
  it('equal the source tables exactly once every change is consumed', async () => {
    const random = rng(20261123);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const s = src.shopSchema;
    const contacts = new Map<string, Row>();
    let crmLsn = 1;
    for (let i = 1; i <= CUSTOMERS; i++) {
      const c = { id: `C${i}`, firstName: 'N', lastName: `L${i}`, customerNo: `K${i}`, helpdeskUserId: null, tier: 'silver', updatedAt: new Date().toISOString() };
      contacts.set(c.id, c);
      await src.contactChange('r', c, crmLsn++);
    }

    let first = await startPipeline();
    let killedAt = -1;
    let changes = 0;
    let nextOrder = 1;
    const live: string[] = []; // order ids that exist
    const payments: string[] = [];
    const client = await src.pool.connect();
    try {
      while (changes < CHANGES) {
        await client.query('begin');
        for (let n = 0; n < 20 && changes < CHANGES; n++) {
          const r = random();
          if (r < 0.4 || live.length < 10) {
            const id = `O${nextOrder++}`;
            await client.query(`insert into ${s}.orders values ($1, $2, 'pending', $3, 'EUR', now(), now())`, [id, `K${1 + Math.floor(random() * CUSTOMERS)}`, 1000 + Math.floor(random() * 9000)]);
            const lines = 1 + Math.floor(random() * 3);
            for (let l = 1; l <= lines; l++) await client.query(`insert into ${s}.order_items values ($1, $2, 'SKU', 'Thing', 1, 500)`, [id, l]);
            live.push(id);
            changes += 1 + lines;
          } else if (r < 0.65) {
            await client.query(`update ${s}.orders set status = $2, updated_at = now() where id = $1`, [pick(live), pick(['paid', 'shipped', 'delivered', 'cancelled'])]);
            changes++;
          } else if (r < 0.75) {
            const id = `P${payments.length + 1}`;
            await client.query(`insert into ${s}.payments values ($1, $2, 'card', 'captured', 100, now(), now())`, [id, pick(live)]);
            payments.push(id);
            changes++;
          } else if (r < 0.85 && payments.length > 0) {
            await client.query(`update ${s}.payments set status = 'refunded', updated_at = now() where id = $1`, [pick(payments)]);
            changes++;
          } else if (r < 0.9) {
            await client.query(`update ${s}.orders set customer_no = $2, updated_at = now() where id = $1`, [pick(live), `K${1 + Math.floor(random() * CUSTOMERS)}`]);
            changes++;
          } else if (r < 0.95) {
            const idx = Math.floor(random() * live.length);
            const id = live[idx]!;
            const del = await client.query(`delete from ${s}.payments where order_id = $1`, [id]);
            const items = await client.query(`delete from ${s}.order_items where order_id = $1`, [id]);
            await client.query(`delete from ${s}.orders where id = $1`, [id]);
            live.splice(idx, 1);
            changes += 1 + (del.rowCount ?? 0) + (items.rowCount ?? 0);
          } else {
            const c = contacts.get(`C${1 + Math.floor(random() * CUSTOMERS)}`)!;
            const moved: Row = { ...c, customerNo: `K${1 + Math.floor(random() * (CUSTOMERS + 20))}`, updatedAt: new Date().toISOString() };
            contacts.set(String(moved.id), moved);
            await src.contactChange('u', moved, crmLsn++);
            changes++;
          }
        }
        await client.query('commit');
        if (killedAt < 0 && first.applied() >= 2_000) {
          killedAt = first.applied();
          first.proc.kill('SIGKILL');
          await new Promise((r) => first.proc.once('exit', r));
          first = await startPipeline();
        }
      }
      // A last order marks the end of the stream.
      await client.query(`insert into ${s}.orders values ('END', 'K1', 'paid', 1, 'EUR', now(), now())`);
    } finally {
      client.release();
    }
    expect(killedAt).toBeGreaterThan(0);

    const contactOf = (customerNo: string) => [...contacts.values()].filter((c) => c.customerNo === customerNo).map((c) => String(c.id));
    await waitFor(async () => {
      const [doc] = await store.read(src.tenant, contactOf('K1'));
      return doc && parseViewDoc(doc).parts.orders?.some((o) => o.id === 'END') ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 100, what: 'the end marker in the views' });
    await src.waitUntilConsumed(groupId, 120_000);

    // The full comparison: every contact's view against the tables.
    const def = src.definition;
    const [ordersSpec] = def.parts;
    const itemsSpec = ordersSpec!.children[0]!;
    const paymentsSpec = ordersSpec!.children[1]!;
    const orders = (await src.pool.query(`select * from ${s}.orders`)).rows as Row[];
    const items = (await src.pool.query(`select * from ${s}.order_items`)).rows as Row[];
    const pays = (await src.pool.query(`select * from ${s}.payments`)).rows as Row[];
    const json = (r: Row) => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' && /^\d+$/.test(v) && _k.endsWith('cents') ? Number(v) : v))) as Row;
    const byLine = (a: Row, b: Row) => Number(a.lineNo) - Number(b.lineNo);
    const byId = (a: Row, b: Row) => String(a.id).localeCompare(String(b.id));
    const expected = (customerNo: string) =>
      orders
        .filter((o) => o.customer_no === customerNo)
        .map((o) => ({
          ...projectRecord(ordersSpec!, json(o)).record,
          items: items.filter((i) => i.order_id === o.id).map((i) => projectRecord(itemsSpec, json(i)).record).sort(byLine),
          payments: pays.filter((p) => p.order_id === o.id).map((p) => projectRecord(paymentsSpec, json(p)).record).sort(byId),
        }))
        .sort(byId);

    const ids = [...contacts.keys()];
    const docs = await store.read(src.tenant, ids);
    let compared = 0;
    for (const [i, id] of ids.entries()) {
      const doc = docs[i];
      expect(doc, `view of ${id}`).not.toBeNull();
      const view = parseViewDoc(doc!);
      const contact = contacts.get(id)!;
      expect(view.root, `contact of ${id}`).toEqual(contact);
      const got = (view.parts.orders ?? []).map((o) => ({ ...o, items: [...(o.items as Row[])].sort(byLine), payments: [...(o.payments as Row[])].sort(byId) })).sort(byId);
      expect(got, `orders of ${id}`).toEqual(expected(String(contact.customerNo)));
      compared += got.length;
    }
    expect(compared).toBeGreaterThan(500);
  }, 300_000);
});
