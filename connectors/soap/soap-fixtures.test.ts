// Records the real exchanges with the Shop simulator (what the soap client sends, what the simulator answers) as
// fixtures under connectors/soap/fixtures/, which the pure mapping tests read (soap-mapping.test.ts). Fixtures are
// written when missing or with UNICS_UPDATE_FIXTURES=1; otherwise this test fails when the simulator's answers
// drift from them, so the mapping tests never run against stale XML.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import soap, { type Client } from 'soap';
import { createFakeClock } from '../../common/clock.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShop, type RunningShop } from '../../examples/legacy/shop/start-shop.ts';
import { createHttpClient, type HttpClient } from '../http/http-client.ts';
import { createSoapHttpClient } from './soap-http-client.ts';
import { fixtureCases, FIXTURE_CUSTOMERS, FIXTURE_KEYS, FIXTURE_NOW, FIXTURE_PORT } from './fixtures/fixture-cases.ts';

const dir = new URL('./fixtures/', import.meta.url);
const update = process.env.UNICS_UPDATE_FIXTURES === '1';

let shop: RunningShop;
let http: HttpClient;
let client: Client;

// The WSDL names the host it was fetched from, which is no part of the fixture.
const stable = (xml: string) => xml.replaceAll(new URL(shop.url).host, `127.0.0.1:${FIXTURE_PORT}`);

function check(file: string, actual: string): void {
  const url = new URL(file, dir);
  if (update || !existsSync(url)) {
    writeFileSync(url, actual);
    return;
  }
  expect(actual, `${file} differs from the simulator's answer; run with UNICS_UPDATE_FIXTURES=1 if the change is intended`).toBe(readFileSync(url, 'utf8'));
}

beforeAll(async () => {
  shop = await startShop({ customers: FIXTURE_CUSTOMERS, clock: createFakeClock(Date.parse(FIXTURE_NOW)) });
  http = createHttpClient({ connector: 'fixtures', baseUrl: shop.url });
  client = await soap.createClientAsync(shop.wsdlUrl, {
    httpClient: createSoapHttpClient({ connector: 'fixtures', http, maxDepth: 64 }),
    disableCache: true,
    wsdl_options: { signal: AbortSignal.timeout(5_000) },
  });
});

afterAll(async () => {
  await http?.close();
  await shop?.close();
});

describe('Shop SOAP fixtures', () => {
  it('are recorded from data that still has the facts the mapping tests rely on', () => {
    const { orders, items, payments } = shop.data;
    const ordersOf = (c: string) => orders.filter((o) => o.customerNo === c).map((o) => o.id);
    expect(ordersOf(FIXTURE_KEYS.withOrders)).toEqual(['O0000001', 'O0000002', 'O0000003', 'O0000004', 'O0000005']);
    expect(ordersOf(FIXTURE_KEYS.withOneOrder)).toEqual([FIXTURE_KEYS.singleOrder]);
    expect(items.filter((i) => i.orderId === FIXTURE_KEYS.singleOrder)).toHaveLength(1);
    expect(payments.some((p) => p.orderId === FIXTURE_KEYS.singleOrder)).toBe(false);
    expect(ordersOf(FIXTURE_KEYS.withoutOrders)).toEqual([]);
    expect(orders.find((o) => o.id === FIXTURE_KEYS.refundable)).toMatchObject({ status: 'delivered', totalCents: FIXTURE_KEYS.refundableTotal });
    expect(payments.find((p) => p.orderId === FIXTURE_KEYS.refundable)?.status).toBe('captured');
  });

  it('the WSDL', async () => {
    const res = await http.send({ method: 'GET', path: shop.wsdlUrl, signal: AbortSignal.timeout(5_000) });
    check('shop.wsdl', stable(res.text()));
  });

  for (const c of fixtureCases) {
    it(c.file, async () => {
      if (c.knob) shop.sim.knobs[c.knob] = true;
      try {
        const method = (client as unknown as Record<string, (a: unknown, o: unknown) => Promise<unknown>>)[`${c.operation}Async`]!;
        await method.call(client, c.args(shop.data), { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
      } finally {
        if (c.knob) shop.sim.knobs[c.knob] = false;
      }
      if (c.request) check(c.request, stable(client.lastRequest ?? ''));
      check(c.file, stable(String(client.lastResponse)));
    });
  }
});
