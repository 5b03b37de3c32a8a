// Pure and deterministic: Debezium change events for the demo's shop tables, byte for byte in the shape the stack's
// connector writes (JsonConverter without schemas; see fixtures/, captured from Debezium 3.7 on shop-schema.sql):
// same field order, ZonedTimestamp strings with microseconds, exact ts_ns digits, sequence [first LSN of the
// transaction, LSN], growing LSNs and transaction ids, the four __debezium.context headers, and keys as JSON
// objects of the primary key columns. The events follow orders through a plausible life (placed with items, paid,
// shipped, delivered, sometimes cancelled or refunded) for customers spread over `customers` customer numbers.
// One call of next() returns one transaction's events, in commit order.

export type ShopTable = 'orders' | 'order_items' | 'payments';

export interface GeneratedChange {
  readonly table: ShopTable;
  readonly op: 'c' | 'u';
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ChangeGeneratorOptions {
  /** Debezium's topic.prefix (the `name` in source); topics are `<prefix>.shop.<table>`. */
  readonly topicPrefix: string;
  /** The source database name (`db` in source). */
  readonly database: string;
  readonly customers?: number;
  readonly seed?: number;
  /** Commit time of the first transaction (ms since epoch). */
  readonly startMs?: number;
  /** Transactions per second of simulated time (spacing of commit timestamps). */
  readonly transactionsPerSecond?: number;
  readonly firstLsn?: number;
  readonly firstTxId?: number;
  /** Orders in flight at most; more spread keys over more orders. */
  readonly maxLiveOrders?: number;
}

interface Order {
  id: string;
  customerNo: string;
  status: 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';
  totalCents: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  payment: { id: string; method: string; status: string; amountCents: number; paidAt: string; updatedAt: string } | null;
}

const PRODUCTS = [
  ['SKU-1001', 'Espresso beans 1 kg', 1890], ['SKU-1002', 'Grinder, conical burr', 8900], ['SKU-1003', 'Milk jug 600 ml', 1450],
  ['SKU-2001', 'Running shoes', 11900], ['SKU-2002', 'Rain jacket', 15900], ['SKU-2003', 'Wool socks (3 pairs)', 2400],
  ['SKU-3001', 'Live crab 1 kg', 4200], ['SKU-3002', 'Green tea 250 g', 1600], ['SKU-3003', 'Mooncake gift box', 3800],
  ['SKU-4001', 'USB-C charger 65 W', 3900], ['SKU-4002', 'Noise-cancelling headphones', 24900], ['SKU-4003', 'E-reader', 12900],
] as const;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Debezium's io.debezium.time.ZonedTimestamp for timestamptz: UTC, always six fraction digits. */
export function zonedTimestamp(epochUs: number): string {
  const ms = Math.floor(epochUs / 1000);
  return `${new Date(ms).toISOString().slice(0, 19)}.${pad(epochUs % 1_000_000, 6)}Z`;
}

export function createChangeGenerator(o: ChangeGeneratorOptions) {
  const customers = o.customers ?? 10_000;
  const maxLive = o.maxLiveOrders ?? 20_000;
  const txSpacingUs = Math.round(1_000_000 / (o.transactionsPerSecond ?? 1000));
  const prefix = o.topicPrefix;
  const headers = Object.freeze({
    '__debezium.context.connectorLogicalName': prefix,
    '__debezium.context.taskId': '0',
    '__debezium.context.connectorName': 'postgresql',
    '__debezium.context.runId': '01a209ed-22d2-7427-9480-b83fa01f5bb1',
  });
  const topics: Record<ShopTable, string> = { orders: `${prefix}.shop.orders`, order_items: `${prefix}.shop.order_items`, payments: `${prefix}.shop.payments` };
  let seed = (o.seed ?? 42) >>> 0 || 1;
  // xorshift32: fast, deterministic, good enough to spread keys.
  const rand = () => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 0x1_0000_0000;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  let clockUs = (o.startMs ?? Date.UTC(2026, 10, 23, 12, 0, 0)) * 1000;
  let lsn = o.firstLsn ?? 55_810_520;
  let txId = o.firstTxId ?? 30_764;
  let orderSeq = 0;
  let firstTx = true;
  const live: Order[] = [];

  function emitter(commitUs: number) {
    const txFirstLsn = lsn;
    const sequenceHead = firstTx ? 'null' : `\\"${txFirstLsn}\\"`;
    firstTx = false;
    let eventUs = commitUs + 3_000 + Math.floor(rand() * 4_000);
    const out: GeneratedChange[] = [];
    return {
      out,
      add(table: ShopTable, op: 'c' | 'u', key: string, before: object | null, after: object) {
        const eventNs = `${eventUs}${pad(Math.floor(rand() * 1000), 3)}`;
        const value =
          `{"before":${before === null ? 'null' : JSON.stringify(before)},"after":${JSON.stringify(after)},` +
          `"source":{"version":"3.7.0.Final","connector":"postgresql","name":"${prefix}","ts_ms":${Math.floor(commitUs / 1000)},"snapshot":"false",` +
          `"db":"${o.database}","sequence":"[${sequenceHead},\\"${lsn}\\"]","ts_us":${commitUs},"ts_ns":${commitUs}000,"schema":"shop","table":"${table}",` +
          `"txId":${txId},"lsn":${lsn},"xmin":null,"origin":null,"origin_lsn":null},"transaction":null,"op":"${op}",` +
          `"ts_ms":${Math.floor(eventUs / 1000)},"ts_us":${eventUs},"ts_ns":${eventNs}}`;
        out.push({ table, op, topic: topics[table], key, value, headers });
        lsn += 200 + Math.floor(rand() * 300);
        eventUs += 20 + Math.floor(rand() * 200);
      },
    };
  }

  const orderRow = (x: Order) => ({ id: x.id, customer_no: x.customerNo, status: x.status, total_cents: x.totalCents, currency: x.currency, created_at: x.createdAt, updated_at: x.updatedAt });
  const paymentRow = (x: Order) => ({ id: x.payment!.id, order_id: x.id, method: x.payment!.method, status: x.payment!.status, amount_cents: x.payment!.amountCents, paid_at: x.payment!.paidAt, updated_at: x.payment!.updatedAt });
  const orderKey = (x: Order) => `{"id":"${x.id}"}`;

  function setStatus(e: ReturnType<typeof emitter>, x: Order, status: Order['status'], at: string): void {
    const before = orderRow(x);
    x.status = status;
    x.updatedAt = at;
    e.add('orders', 'u', orderKey(x), before, orderRow(x));
  }

  /** The next transaction's change events. */
  function next(): GeneratedChange[] {
    clockUs += txSpacingUs;
    const commitUs = clockUs;
    const at = zonedTimestamp(commitUs - 15_000 - Math.floor(rand() * 10_000));
    const e = emitter(commitUs);
    txId++;
    if (live.length < 100 || (live.length < maxLive && rand() < 0.3)) {
      const n = ++orderSeq;
      const x: Order = { id: `O${pad(n, 7)}`, customerNo: `K${pad(1 + Math.floor(rand() * customers), 7)}`, status: 'pending', totalCents: 0, currency: pick(['EUR', 'EUR', 'USD', 'CNY']), createdAt: at, updatedAt: at, payment: null };
      const lines = 1 + Math.floor(rand() * 4);
      const items = [];
      for (let l = 1; l <= lines; l++) {
        const [sku, name, price] = pick(PRODUCTS);
        const quantity = 1 + Math.floor(rand() * rand() * 4);
        items.push({ order_id: x.id, line_no: l, sku, name, quantity, unit_price_cents: price });
        x.totalCents += quantity * price;
      }
      e.add('orders', 'c', orderKey(x), null, orderRow(x));
      for (const item of items) e.add('order_items', 'c', `{"order_id":"${x.id}","line_no":${item.line_no}}`, null, item);
      live.push(x);
      return e.out;
    }
    const index = Math.floor(rand() * live.length);
    const x = live[index]!;
    const retire = () => {
      live[index] = live[live.length - 1]!;
      live.pop();
    };
    switch (x.status) {
      case 'pending':
        if (rand() < 0.1) {
          setStatus(e, x, 'cancelled', at);
          retire();
        } else {
          x.payment = { id: `P${x.id.slice(1)}`, method: x.currency === 'CNY' ? 'alipay' : pick(['card', 'card', 'paypal', 'invoice']), status: 'captured', amountCents: x.totalCents, paidAt: at, updatedAt: at };
          e.add('payments', 'c', `{"id":"${x.payment.id}"}`, null, paymentRow(x));
          setStatus(e, x, 'paid', at);
        }
        break;
      case 'paid':
        setStatus(e, x, 'shipped', at);
        break;
      case 'shipped':
        setStatus(e, x, 'delivered', at);
        if (rand() < 0.9) retire();
        break;
      default: {
        // delivered, kept a while: refunded now and then
        const before = paymentRow(x);
        x.payment!.status = 'refunded';
        x.payment!.updatedAt = at;
        e.add('payments', 'u', `{"id":"${x.payment!.id}"}`, before, paymentRow(x));
        setStatus(e, x, 'refunded', at);
        retire();
      }
    }
    return e.out;
  }

  return { next, topics };
}
