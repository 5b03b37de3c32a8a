// The demo data set shared by the four legacy simulators: deterministic for a seed, scalable by customer count,
// with the id mapping real estates have (the CRM knows each contact's shop customer number and helpdesk user id;
// the numbering schemes differ and are not in the same order).

export interface DemoContact {
  readonly id: string; // CRM id, C000001 ...
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly phone: string;
  readonly language: 'en' | 'zh' | 'de' | 'fr';
  readonly tier: 'standard' | 'silver' | 'gold' | 'platinum';
  readonly customerNo: string; // shop customer number, K0000001 ...
  readonly helpdeskUserId: string | null; // U0000001 ...; some customers never contacted support
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface DemoOrder {
  readonly id: string; // O0000001 ...
  readonly customerNo: string;
  readonly status: OrderStatus;
  readonly totalCents: number;
  readonly currency: 'EUR' | 'USD' | 'CNY';
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DemoOrderItem {
  readonly orderId: string;
  readonly lineNo: number;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

export interface DemoPayment {
  readonly id: string; // P0000001 ...
  readonly orderId: string;
  readonly method: 'card' | 'paypal' | 'alipay' | 'invoice';
  readonly status: 'captured' | 'refunded';
  readonly amountCents: number;
  readonly paidAt: string;
  readonly updatedAt: string;
}

export interface DemoShipment {
  readonly id: string; // delivery number, 0080000001 ... (SAP style)
  readonly orderId: string;
  readonly carrier: 'DHL' | 'UPS' | 'SF Express' | 'DPD';
  readonly trackingNo: string;
  readonly status: 'in_transit' | 'delivered';
  readonly warehouse: string;
  readonly shippedAt: string;
  readonly deliveredAt: string | null;
}

export interface DemoTicket {
  readonly id: string; // T0000001 ...
  readonly userId: string;
  readonly subject: string;
  readonly status: 'open' | 'pending' | 'resolved' | 'closed';
  readonly priority: 'low' | 'normal' | 'high' | 'urgent';
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface DemoData {
  readonly seed: number;
  readonly contacts: readonly DemoContact[];
  readonly orders: readonly DemoOrder[];
  readonly items: readonly DemoOrderItem[];
  readonly payments: readonly DemoPayment[];
  readonly shipments: readonly DemoShipment[];
  readonly tickets: readonly DemoTicket[];
}

export interface DemoDataOptions {
  /** Number of customers (CRM contacts). Default 10,000. */
  readonly customers?: number;
  /** PRNG seed; the same seed and count always give the same data. Default 42. */
  readonly seed?: number;
  /** The "now" the data is generated around (ISO). Default 2026-11-01T12:00:00Z, so data does not drift with the clock. */
  readonly now?: string;
}

/** mulberry32: a small, fast, deterministic PRNG. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const crmId = (n: number) => `C${pad(n, 6)}`;
export const customerNo = (n: number) => `K${pad(n, 7)}`;
export const helpdeskUserId = (n: number) => `U${pad(n, 7)}`;
export const orderId = (n: number) => `O${pad(n, 7)}`;

const FIRST = ['Anna', 'Ben', 'Chen', 'Dora', 'Emil', 'Fang', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kai', 'Lena', 'Mei', 'Noah', 'Olga', 'Paul', 'Qing', 'Rosa', 'Sven', 'Tara', 'Uwe', 'Vera', 'Wei', 'Xenia', 'Yusuf', 'Zoe'];
const LAST = ['Schmidt', 'Wang', 'Müller', 'Li', 'Dubois', 'Zhang', 'Fischer', 'Liu', 'Martin', 'Chen', 'Weber', 'Huang', 'Bernard', 'Zhao', 'Wagner', 'Wu', 'Petit', 'Zhou', 'Becker', 'Xu'];
const PRODUCTS = [
  ['SKU-1001', 'Espresso beans 1 kg', 1890], ['SKU-1002', 'Grinder, conical burr', 8900], ['SKU-1003', 'Milk jug 600 ml', 1450],
  ['SKU-2001', 'Running shoes', 11900], ['SKU-2002', 'Rain jacket', 15900], ['SKU-2003', 'Wool socks (3 pairs)', 2400],
  ['SKU-3001', 'Live crab 1 kg', 4200], ['SKU-3002', 'Green tea 250 g', 1600], ['SKU-3003', 'Mooncake gift box', 3800],
  ['SKU-4001', 'USB-C charger 65 W', 3900], ['SKU-4002', 'Noise-cancelling headphones', 24900], ['SKU-4003', 'E-reader', 12900],
] as const;
const SUBJECTS = ['Where is my parcel?', 'Refund not received', 'Wrong size delivered', 'Cannot log in', 'Invoice needed', 'Item arrived damaged', 'Change delivery address', '退款什么时候到账？', '订单还没发货', 'Cancel my order'];

function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

function pick<T>(list: readonly T[], rand: () => number): T {
  return list[Math.floor(rand() * list.length)]!;
}

/** Generates the demo data set. 10,000 customers take well under a second. */
export function generateDemoData(options: DemoDataOptions = {}): DemoData {
  const count = options.customers ?? 10_000;
  if (!Number.isInteger(count) || count < 1 || count > 999_999) {
    throw new RangeError(`customers must be a whole number between 1 and 999999, but got ${count}`);
  }
  const seed = options.seed ?? 42;
  const nowMs = Date.parse(options.now ?? '2026-11-01T12:00:00Z');
  const rand = createRandom(seed);
  const iso = (msAgo: number) => new Date(nowMs - Math.floor(msAgo)).toISOString();
  const DAY = 86_400_000;

  const shopNumbers = shuffled(count, rand);
  const helpdeskNumbers = shuffled(count, rand);
  const contacts: DemoContact[] = [];
  const orders: DemoOrder[] = [];
  const items: DemoOrderItem[] = [];
  const payments: DemoPayment[] = [];
  const shipments: DemoShipment[] = [];
  const tickets: DemoTicket[] = [];
  let orderSeq = 0;
  let ticketSeq = 0;

  for (let i = 1; i <= count; i++) {
    const first = pick(FIRST, rand);
    const last = pick(LAST, rand);
    const created = iso(DAY * (30 + rand() * 1500));
    // Customer C000001 is the demo's: always a helpdesk user, five orders and two tickets.
    const hasHelpdesk = rand() < 0.8 || i === 1;
    const contact: DemoContact = {
      id: crmId(i),
      firstName: first,
      lastName: last,
      email: `${first}.${last}.${i}@example.com`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, ''),
      phone: `+49 30 ${pad(1_000_000 + ((i * 7_919) % 9_000_000), 7)}`,
      language: pick(['en', 'en', 'zh', 'de', 'fr'] as const, rand),
      tier: pick(['standard', 'standard', 'standard', 'silver', 'silver', 'gold', 'platinum'] as const, rand),
      customerNo: customerNo(shopNumbers[i - 1]!),
      helpdeskUserId: hasHelpdesk ? helpdeskUserId(helpdeskNumbers[i - 1]!) : null,
      createdAt: created,
      updatedAt: iso(DAY * rand() * 30),
    };
    contacts.push(contact);

    const orderCount = i === 1 ? 5 : Math.floor(rand() * rand() * 9); // 0..8, most customers have few
    for (let o = 0; o < orderCount; o++) {
      const id = orderId(++orderSeq);
      const ageMs = DAY * rand() * 365;
      const status: OrderStatus = ageMs < DAY * 2
        ? pick(['pending', 'paid', 'paid', 'shipped'] as const, rand)
        : pick(['delivered', 'delivered', 'delivered', 'shipped', 'cancelled', 'refunded'] as const, rand);
      const currency = contact.language === 'zh' ? 'CNY' : pick(['EUR', 'EUR', 'USD'] as const, rand);
      let total = 0;
      const lines = 1 + Math.floor(rand() * 4);
      for (let l = 1; l <= lines; l++) {
        const [sku, name, price] = pick(PRODUCTS, rand);
        const quantity = 1 + Math.floor(rand() * rand() * 4);
        items.push({ orderId: id, lineNo: l, sku, name, quantity, unitPriceCents: price });
        total += quantity * price;
      }
      const createdAt = iso(ageMs);
      const updatedAt = iso(ageMs * rand());
      orders.push({ id, customerNo: contact.customerNo, status, totalCents: total, currency, createdAt, updatedAt });
      if (status !== 'pending' && status !== 'cancelled') {
        payments.push({
          id: `P${pad(orderSeq, 7)}`,
          orderId: id,
          method: currency === 'CNY' ? 'alipay' : pick(['card', 'card', 'paypal', 'invoice'] as const, rand),
          status: status === 'refunded' ? 'refunded' : 'captured',
          amountCents: total,
          paidAt: createdAt,
          updatedAt,
        });
      }
      if (status === 'shipped' || status === 'delivered' || (status === 'refunded' && rand() < 0.5)) {
        const delivered = status !== 'shipped';
        shipments.push({
          id: pad(80_000_000 + orderSeq, 10),
          orderId: id,
          carrier: currency === 'CNY' ? 'SF Express' : pick(['DHL', 'UPS', 'DPD'] as const, rand),
          trackingNo: `1Z${pad(Math.floor(rand() * 1e9), 9)}${pad(orderSeq, 7)}`,
          status: delivered ? 'delivered' : 'in_transit',
          warehouse: pick(['WH-BER-1', 'WH-HAM-2', 'WH-SHA-1'] as const, rand),
          shippedAt: iso(ageMs * 0.8),
          deliveredAt: delivered ? iso(ageMs * 0.5) : null,
        });
      }
    }

    if (contact.helpdeskUserId) {
      const ticketCount = i === 1 ? 2 : Math.floor(rand() * rand() * 4);
      for (let t = 0; t < ticketCount; t++) {
        const ageMs = DAY * rand() * 200;
        tickets.push({
          id: `T${pad(++ticketSeq, 7)}`,
          userId: contact.helpdeskUserId,
          subject: pick(SUBJECTS, rand),
          status: ageMs < DAY * 7 ? pick(['open', 'pending'] as const, rand) : pick(['resolved', 'closed', 'closed'] as const, rand),
          priority: pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent'] as const, rand),
          createdAt: iso(ageMs),
          updatedAt: iso(ageMs * rand()),
        });
      }
    }
  }
  return { seed, contacts, orders, items, payments, shipments, tickets };
}
