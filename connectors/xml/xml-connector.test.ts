// The xml connector over real HTTP against the WMS simulator (component tier: loopback, port 0).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../common/clock.ts';
import type { UnicsError } from '../../common/errors.ts';
import { createLogger } from '../../common/logger.ts';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { defaultKnobs } from '../../examples/legacy/simulator-kit.ts';
import { createWmsSimulator, HOSTILE_KINDS, type WmsSimulator } from '../../examples/legacy/wms/index.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { BatchResult, Connector } from '../connector.ts';
import { runConnectorContract } from '../testkit/index.ts';
import { xmlKind } from './index.ts';
import { readmeWmsDefinition } from './readme-example.ts';

const data = generateDemoData({ customers: 50 });
const deps = { log: createLogger({ level: 'silent' }), clock: systemClock };
const ctx = (signal: AbortSignal = AbortSignal.timeout(10_000)) => ({ tenant: 'test', signal });
const shipped = (orderId: string) => data.shipments.find((s) => s.orderId === orderId);

let sim: WmsSimulator;
let url: string;
let wms: Connector;
const extra: Connector[] = [];

function connector(patch: (def: Record<string, unknown>) => void = () => {}): Connector {
  const def = readmeWmsDefinition(url);
  patch(def);
  const c = xmlKind.create(xmlKind.configSchema.parse(def), deps);
  extra.push(c);
  return c;
}
const entityOf = (def: Record<string, unknown>) => (def['entities'] as Record<string, Record<string, unknown>>)['shipmentsByOrder']!;

async function failure(promise: Promise<unknown>): Promise<UnicsError> {
  try {
    await promise;
  } catch (err) {
    return err as UnicsError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

// Heap and buffer growth around a call: sampled every millisecond while it runs (the HTTP read and the parser
// yield to the event loop), with a full GC first so the baseline is clean.
v8.setFlagsFromString('--expose-gc');
const gc = ((globalThis as { gc?: () => void }).gc ?? vm.runInNewContext('gc')) as () => void;
async function measured<T>(fn: () => Promise<T>): Promise<{ outcome: T | UnicsError; heapMb: number; buffersMb: number; ms: number }> {
  gc();
  const base = process.memoryUsage();
  let heap = base.heapUsed;
  let buffers = base.arrayBuffers;
  const sample = () => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    buffers = Math.max(buffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 1);
  const started = performance.now();
  let outcome: T | UnicsError;
  try {
    outcome = await fn();
  } catch (err) {
    outcome = err as UnicsError;
  } finally {
    clearInterval(timer);
    sample();
  }
  return { outcome, heapMb: (heap - base.heapUsed) / 2 ** 20, buffersMb: (buffers - base.arrayBuffers) / 2 ** 20, ms: performance.now() - started };
}

/** Resolves with the next request the simulator receives and whether its answer was finished when it closed. */
function nextServerResponse(): Promise<{ res: ServerResponse; closed: Promise<{ finished: boolean }> }> {
  return new Promise((resolve) => {
    sim.server.once('request', (_req: IncomingMessage, res: ServerResponse) => {
      const closed = new Promise<{ finished: boolean }>((r) => res.once('close', () => r({ finished: res.writableFinished })));
      resolve({ res, closed });
    });
  });
}

beforeAll(async () => {
  sim = createWmsSimulator({ data });
  url = await sim.listen();
  wms = connector();
});

afterEach(() => {
  Object.assign(sim.knobs, defaultKnobs());
  sim.setHostileKind('entity-bomb');
  sim.resetStats();
});

afterAll(async () => {
  await Promise.all(extra.map((c) => c.close()));
  await sim.close();
});

describe('xml connector against the WMS simulator: loading', () => {
  const keys = ['O9999999', 'O0000018', 'O0000002', 'O0000001', 'O0000013', 'O0000010', 'O0000003'];

  function expectAligned(result: BatchResult): void {
    expect([...result.keys()]).toEqual(keys);
    for (const key of keys) {
      const s = shipped(key);
      const r = result.get(key) as { status: string; value: Array<Record<string, unknown>> };
      expect(r.status).toBe('ok');
      if (!s) {
        expect(r.value).toEqual([]);
        continue;
      }
      expect(r.value).toHaveLength(1);
      expect(r.value[0]).toMatchObject({ deliveryNo: s.id, carrier: s.carrier, trackingNo: s.trackingNo, status: s.status, warehouse: s.warehouse });
      expect(r.value[0]!['shippedAt']).toBe(new Date(Math.floor(Date.parse(s.shippedAt) / 1000) * 1000).toISOString());
    }
  }

  it('GET: one upstream call, answers aligned by order id although the WMS reorders and omits records', async () => {
    const result = await wms.load('shipmentsByOrder', keys, ctx());
    expectAligned(result);
    expect(sim.stats.byRoute).toEqual({ 'GET /idoc/shipments': 1 });
  });

  it('POST with a template and with { root, element }: the same answers', async () => {
    const templated = connector((def) => {
      const e = entityOf(def);
      delete e['keysParam'];
      Object.assign(e, { method: 'POST', requestTemplate: '<ShipmentQuery>{{#keys}}<ORDER_ID>{{key}}</ORDER_ID>{{/keys}}</ShipmentQuery>' });
    });
    const structured = connector((def) => {
      const e = entityOf(def);
      delete e['keysParam'];
      Object.assign(e, { method: 'POST', request: { root: 'ShipmentQuery', element: 'ORDER_ID' } });
    });
    expectAligned(await templated.load('shipmentsByOrder', keys, ctx()));
    expectAligned(await structured.load('shipmentsByOrder', keys, ctx()));
    expect(sim.stats.byRoute).toEqual({ 'POST /idoc/shipments': 2 });
  });

  it('splits a batch larger than maxBatchSize into several calls and merges them by key', async () => {
    const small = connector((def) => Object.assign(entityOf(def), { maxBatchSize: 3 }));
    expectAligned(await small.load('shipmentsByOrder', keys, ctx()));
    expect(sim.stats.byRoute).toEqual({ 'GET /idoc/shipments': 3 });
  });

  it('single-record entities answer not_found for orders without a shipment', async () => {
    const single = connector((def) => Object.assign(entityOf(def), { many: false }));
    const result = await single.load('shipmentsByOrder', ['O0000001', 'O0000002'], ctx());
    expect(result.get('O0000001')).toMatchObject({ status: 'ok', value: { deliveryNo: shipped('O0000001')!.id } });
    expect(result.get('O0000002')).toEqual({ status: 'not_found' });
  });

  it('fails only the key that cannot be sent; XML-special characters are escaped in POST bodies', async () => {
    const get = await wms.load('shipmentsByOrder', ['O0000001', 'O1,O2', 'bad\u0001'], ctx());
    expect(get.get('O0000001')).toMatchObject({ status: 'ok' });
    expect(get.get('O1,O2')).toMatchObject({ status: 'error', error: { code: 'CONN_ERR_REJECTED' } });
    expect(get.get('bad\u0001')).toEqual({ status: 'ok', value: [] });
    const post = connector((def) => {
      const e = entityOf(def);
      delete e['keysParam'];
      Object.assign(e, { method: 'POST', request: { root: 'ShipmentQuery', element: 'ORDER_ID' } });
    });
    const escaped = await post.load('shipmentsByOrder', ['O0000001', '<x>&"\''], ctx());
    expect(escaped.get('O0000001')).toMatchObject({ status: 'ok', value: [{ deliveryNo: shipped('O0000001')!.id }] });
    expect(escaped.get('<x>&"\'')).toEqual({ status: 'ok', value: [] });
  });

  it('maps an upstream 400 (too many orders) to CONN_ERR_REJECTED and an unknown entity to CONN_ERR_UNKNOWN_ENTITY', async () => {
    const big = connector((def) => Object.assign(entityOf(def), { maxBatchSize: 1000 }));
    const many = Array.from({ length: 501 }, (_, i) => `O${String(i + 1).padStart(7, '0')}`);
    const rejected = await failure(big.load('shipmentsByOrder', many, ctx()));
    expect(rejected.code).toBe('CONN_ERR_REJECTED');
    expect(rejected.message).toContain('answered HTTP 400');
    const unknown = await failure(wms.load('orders', ['O0000001'], ctx()));
    expect(unknown.code).toBe('CONN_ERR_UNKNOWN_ENTITY');
    expect(unknown.message).toBe('connector "wms" has no entity "orders"; it has shipmentsByOrder');
    expect((await failure(wms.call('refund', {}, ctx()))).code).toBe('CONN_ERR_UNKNOWN_ENTITY');
  });

  it('sees a status change made in the WMS on the next load', async () => {
    const key = data.shipments.find((s) => s.status === 'in_transit')!.orderId;
    sim.setShipmentStatus(key, 'delivered', '2026-11-02T08:30:00Z');
    const value = ((await wms.load('shipmentsByOrder', [key], ctx())).get(key) as { value: Array<Record<string, unknown>> }).value[0];
    expect(value).toMatchObject({ status: 'delivered', deliveredAt: '2026-11-02T08:30:00.000Z' });
  });
});

describe('xml connector against the WMS simulator: hostile and broken answers', () => {
  it('refuses the entity bomb with CONN_ERR_XML_FORBIDDEN, fast and within bounded memory', async () => {
    sim.knobs.hostile = true;
    const { outcome, heapMb, ms } = await measured(() => wms.load('shipmentsByOrder', ['O0000001'], ctx()));
    expect((outcome as UnicsError).code).toBe('CONN_ERR_XML_FORBIDDEN');
    expect((outcome as UnicsError).message).toContain('has a DOCTYPE declaration at line 2');
    expect(heapMb).toBeLessThan(20);
    expect(ms).toBeLessThan(1_000);
  });

  it('refuses an external entity without reading the file or echoing anything of it', async () => {
    sim.knobs.hostile = true;
    sim.setHostileKind('external-entity');
    const err = await failure(wms.load('shipmentsByOrder', ['O0000001'], ctx()));
    expect(err.code).toBe('CONN_ERR_XML_FORBIDDEN');
    const everything = JSON.stringify({ message: err.message, details: err.details, cause: String(err.cause) });
    expect(everything).not.toMatch(/root:|nologin|\/bin\/|passwd/);
  });

  it('refuses every attack the simulator knows (DTDs, deep nesting, UTF-16) with CONN_ERR_XML_FORBIDDEN', async () => {
    sim.knobs.hostile = true;
    for (const kind of HOSTILE_KINDS) {
      sim.setHostileKind(kind);
      const err = await failure(wms.load('shipmentsByOrder', ['O0000001'], ctx()));
      expect({ kind, code: err.code }).toEqual({ kind, code: 'CONN_ERR_XML_FORBIDDEN' });
    }
    sim.setHostileKind('deep-nesting');
    expect((await failure(wms.load('shipmentsByOrder', ['O0000001'], ctx()))).message).toContain('nests elements deeper than the limit of 64');
  });

  it('cuts a 30 MB answer off at maxResponseSize with bounded memory, and the server sees the connection closed', async () => {
    sim.knobs.oversized = true;
    const served = nextServerResponse();
    const { outcome, heapMb, buffersMb } = await measured(() => wms.load('shipmentsByOrder', ['O0000001'], ctx()));
    expect((outcome as UnicsError).code).toBe('CONN_ERR_RESPONSE_TOO_LARGE');
    expect((outcome as UnicsError).message).toContain('sent more than the limit of 8388608 bytes');
    expect(heapMb).toBeLessThan(20);
    expect(buffersMb).toBeLessThan(24); // the 8 MB read so far plus socket buffers; the whole answer would be over 30
    const { closed } = await served;
    expect(await closed).toEqual({ finished: false });
  });

  it('maps truncated XML to CONN_ERR_MALFORMED_RESPONSE with a position', async () => {
    sim.knobs.malformed = true;
    const err = await failure(wms.load('shipmentsByOrder', ['O0000001', 'O0000003'], ctx()));
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toMatch(/^connector "wms": the upstream's XML is not well-formed at line \d+, column \d+: /);
  });

  it('maps HTTP 500 with an XML error body to CONN_ERR_UNAVAILABLE (retriable)', async () => {
    sim.knobs.errorRate = 1;
    const err = await failure(wms.load('shipmentsByOrder', ['O0000001'], ctx()));
    expect(err.code).toBe('CONN_ERR_UNAVAILABLE');
    expect(err.retriable).toBe(true);
    expect(err.message).toContain('answered HTTP 500');
  });

  it('cancels a hanging request when the caller aborts: CONN_ERR_ABORTED and the server sees the socket close', async () => {
    sim.knobs.hang = true;
    const controller = new AbortController();
    const served = nextServerResponse();
    const pending = failure(wms.load('shipmentsByOrder', ['O0000001'], ctx(controller.signal)));
    const { closed } = await served;
    controller.abort(new Error('caller gave up'));
    const err = await pending;
    expect(err.code).toBe('CONN_ERR_ABORTED');
    expect(await waitFor(() => closed, { timeoutMs: 2_000, what: 'the simulator to see the request closed' })).toEqual({ finished: false });
  });

  it('refuses an answer that is not XML (an HTML error page from a proxy)', async () => {
    const proxy = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const def = readmeWmsDefinition(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      const c = xmlKind.create(xmlKind.configSchema.parse(def), deps);
      extra.push(c);
      const err = await failure(c.load('shipmentsByOrder', ['O0000001'], ctx()));
      expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
      expect(err.message).toContain('but it sent content-type text/html');
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});

describe('xml connector: readiness', () => {
  it('check() passes while the WMS answers and fails with CONN_ERR_UNAVAILABLE on server errors', async () => {
    await expect(wms.check(AbortSignal.timeout(5_000))).resolves.toBeUndefined();
    sim.knobs.errorRate = 1;
    expect((await failure(wms.check(AbortSignal.timeout(5_000)))).code).toBe('CONN_ERR_UNAVAILABLE');
  });
});

// The contract every connector must pass (connectors/testkit), on its own simulator so knob changes stay local.
let contractSim: WmsSimulator;
let openRequests = 0;
runConnectorContract('xml against the WMS simulator', async () => {
  contractSim = createWmsSimulator({ data });
  const contractUrl = await contractSim.listen();
  contractSim.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    openRequests++;
    res.once('close', () => openRequests--);
  });
  const c = xmlKind.create(xmlKind.configSchema.parse(readmeWmsDefinition(contractUrl)), deps);
  return {
    connector: c,
    entity: 'shipmentsByOrder',
    existingKeys: ['O0000001', 'O0000003', 'O0000018'],
    missingKeys: ['O0000002', 'O9999999'],
    setUpstream(mode) {
      Object.assign(contractSim.knobs, { errorRate: mode === 'failing' ? 1 : 0, hang: mode === 'hanging' });
    },
    openUpstreamRequests: () => openRequests,
    async close() {
      await c.close();
      await contractSim.close();
    },
  };
});
