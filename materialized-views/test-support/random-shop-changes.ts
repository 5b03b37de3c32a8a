// A seeded random writer for the pipeline's recovery tests: inserts, updates and deletes of orders, items and
// payments in an isolated shop schema, orders moving between customers, and CRM mapping moves on Kafka — the mix
// that exercises every join of the customer-360 view. Seeded, so a failing run can be repeated.
import type pg from 'pg';
import type { IsolatedSources } from './isolated-sources.ts';

type Row = Record<string, unknown>;

/** A small linear congruential generator. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface RandomShopChanges {
  /** The CRM contacts as the writer last sent them, by id. */
  readonly contacts: ReadonlyMap<string, Row>;
  /** Sends a snapshot read of every contact (call once, before the first transaction). */
  seedContacts(): Promise<void>;
  /** Runs one transaction of up to `size` changes on `client`; returns how many row changes it made. */
  transaction(client: pg.PoolClient, size?: number): Promise<number>;
  /** Inserts order "END" for contact C1's customer number: when it is in C1's view, everything before it was streamed. */
  writeEndMarker(client: pg.PoolClient): Promise<void>;
}

export function createRandomShopChanges(src: IsolatedSources, opts: { customers: number; seed: number }): RandomShopChanges {
  const random = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const customerNo = (spread = 0) => `K${1 + Math.floor(random() * (opts.customers + spread))}`;
  const s = src.shopSchema;
  const contacts = new Map<string, Row>();
  let crmLsn = 1;
  let nextOrder = 1;
  const live: string[] = []; // ids of orders that exist
  const payments: string[] = [];
  for (let i = 1; i <= opts.customers; i++) {
    contacts.set(`C${i}`, { id: `C${i}`, firstName: 'N', lastName: `L${i}`, customerNo: `K${i}`, helpdeskUserId: null, tier: 'silver', updatedAt: new Date().toISOString() });
  }

  async function change(client: pg.PoolClient): Promise<number> {
    const r = random();
    if (r < 0.4 || live.length < 10) {
      const id = `O${nextOrder++}`;
      await client.query(`insert into ${s}.orders values ($1, $2, 'pending', $3, 'EUR', now(), now())`, [id, customerNo(), 1000 + Math.floor(random() * 9000)]);
      const lines = 1 + Math.floor(random() * 3);
      for (let l = 1; l <= lines; l++) await client.query(`insert into ${s}.order_items values ($1, $2, 'SKU', 'Thing', 1, 500)`, [id, l]);
      live.push(id);
      return 1 + lines;
    }
    if (r < 0.65) {
      await client.query(`update ${s}.orders set status = $2, updated_at = now() where id = $1`, [pick(live), pick(['paid', 'shipped', 'delivered', 'cancelled'])]);
      return 1;
    }
    if (r < 0.75) {
      const id = `P${payments.length + 1}`;
      await client.query(`insert into ${s}.payments values ($1, $2, 'card', 'captured', 100, now(), now())`, [id, pick(live)]);
      payments.push(id);
      return 1;
    }
    if (r < 0.85 && payments.length > 0) {
      await client.query(`update ${s}.payments set status = 'refunded', updated_at = now() where id = $1`, [pick(payments)]);
      return 1;
    }
    if (r < 0.9) {
      await client.query(`update ${s}.orders set customer_no = $2, updated_at = now() where id = $1`, [pick(live), customerNo()]);
      return 1;
    }
    if (r < 0.95) {
      const idx = Math.floor(random() * live.length);
      const id = live[idx]!;
      const pays = await client.query(`delete from ${s}.payments where order_id = $1`, [id]);
      const items = await client.query(`delete from ${s}.order_items where order_id = $1`, [id]);
      await client.query(`delete from ${s}.orders where id = $1`, [id]);
      live.splice(idx, 1);
      return 1 + (pays.rowCount ?? 0) + (items.rowCount ?? 0);
    }
    const c = contacts.get(`C${1 + Math.floor(random() * opts.customers)}`)!;
    const moved: Row = { ...c, customerNo: customerNo(20), updatedAt: new Date().toISOString() };
    contacts.set(String(moved.id), moved);
    await src.contactChange('u', moved, crmLsn++);
    return 1;
  }

  return {
    contacts,
    async seedContacts() {
      for (const c of contacts.values()) await src.contactChange('r', c, crmLsn++);
    },
    async transaction(client, size = 20) {
      let made = 0;
      await client.query('begin');
      try {
        for (let n = 0; n < size; n++) made += await change(client);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      }
      return made;
    },
    async writeEndMarker(client) {
      await client.query(`insert into ${s}.orders values ('END', $1, 'paid', 1, 'EUR', now(), now())`, [contacts.get('C1')!.customerNo]);
    },
  };
}
