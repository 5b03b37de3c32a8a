import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../../../common/clock.ts';
import { parseXmlSafely, type XmlNode } from '../../../connectors/xml/safe-xml.ts';
import { compileXmlPath, selectAll, selectText } from '../../../connectors/xml/xml-path.ts';
import { generateDemoData } from '../demo-data.ts';
import { defaultKnobs } from '../simulator-kit.ts';
import { createWmsSimulator, HOSTILE_KINDS, WMS_OVERSIZED_BYTES, type WmsSimulator } from './index.ts';

const data = generateDemoData({ customers: 50 });
const clock = createFakeClock(Date.parse('2026-11-05T10:00:00Z'));
let sim: WmsSimulator;
let url: string;

const p = compileXmlPath;
const SHIPMENTS = p('SHPMNT05.IDOC.E1EDT20');

async function xml(res: Response): Promise<XmlNode> {
  return parseXmlSafely(Buffer.from(await res.arrayBuffer()), { maxBytes: 64 * 1024 * 1024, maxNodes: 5_000_000 }, { connector: 'test' });
}
const orderOf = (segment: XmlNode) => selectText(segment, p('E1EDL20.E1EDL24.VGBEL'));
const post = (path: string, body: string) => fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/xml' } });

beforeAll(async () => {
  sim = createWmsSimulator({ data, clock });
  url = await sim.listen();
});
afterEach(() => {
  Object.assign(sim.knobs, defaultKnobs());
  sim.setHostileKind('entity-bomb');
  sim.resetStats();
});
afterAll(() => sim.close());

describe('WMS simulator: shipment queries', () => {
  const asked = ['O0000001', 'O0000002', 'O0000003', 'O0000013', 'O0000018', 'O9999999'];
  const withShipment = asked.filter((id) => data.shipments.some((s) => s.orderId === id));

  it('GET answers one IDoc per shipment, in its own order, leaving out orders without one', async () => {
    const res = await fetch(`${url}/idoc/shipments?orders=${asked.join(',')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    const doc = await xml(res);
    const segments = selectAll(doc, SHIPMENTS);
    const orders = segments.map(orderOf);
    expect(new Set(orders)).toEqual(new Set(withShipment));
    expect(orders).not.toEqual(withShipment);
    expect(selectAll(doc, p('SHPMNT05.IDOC.EDI_DC40.IDOCTYP'))).toEqual(segments.map(() => 'SHPMNT05'));
    const docnums = selectAll(doc, p('SHPMNT05.IDOC.EDI_DC40.DOCNUM'));
    expect(new Set(docnums).size).toBe(segments.length);
    expect(selectText(doc, p('SHPMNT05.IDOC.EDI_DC40.CREDAT'))).toBe('20261105');
    expect(sim.stats.byRoute).toEqual({ 'GET /idoc/shipments': 1 });
  });

  it('renders the SAP fields from the demo shipment', async () => {
    const s = data.shipments.find((x) => x.status === 'delivered')!;
    const segment = selectAll(await xml(await fetch(`${url}/idoc/shipments?orders=${s.orderId}`)), SHIPMENTS)[0];
    const text = (path: string) => selectText(segment, p(path));
    expect(text('E1EDL20.VBELN')).toBe(s.id);
    expect(text('TKNUM')).toMatch(/^\d{10}$/);
    expect(text('TRAID')).toBe(s.trackingNo);
    expect(text('STTRG')).toBe('7');
    expect(text('E1EDL20.LGNUM')).toBe(s.warehouse);
    const shippedIso = new Date(s.shippedAt).toISOString();
    expect(text('E1EDT10[QUALF=006].DATUM')).toBe(shippedIso.slice(0, 10).replaceAll('-', ''));
    expect(text('E1EDT10[QUALF=006].UZEIT')).toBe(shippedIso.slice(11, 19).replaceAll(':', ''));
    expect(text('E1EDT10[QUALF=007].DATUM')).toBe(s.deliveredAt!.slice(0, 10).replaceAll('-', ''));
    expect(selectAll(segment, p('E1EDL20.E1EDL24.MATNR'))).toEqual(data.items.filter((i) => i.orderId === s.orderId).map((i) => i.sku));
  });

  it('POST takes the order ids from a <ShipmentQuery> body and answers the same', async () => {
    const body = `<ShipmentQuery>${asked.map((id) => `<ORDER_ID>${id}</ORDER_ID>`).join('')}</ShipmentQuery>`;
    const orders = selectAll(await xml(await post('/idoc/shipments', body)), SHIPMENTS).map(orderOf);
    expect(new Set(orders)).toEqual(new Set(withShipment));
    expect(sim.stats.byRoute).toEqual({ 'POST /idoc/shipments': 1 });
  });

  it('refuses bad requests with an XML error document (HTTP 400)', async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => `O${String(i + 1).padStart(7, '0')}`).join(',');
    for (const res of [
      await fetch(`${url}/idoc/shipments?orders=${tooMany}`),
      await fetch(`${url}/idoc/shipments?orders=`),
      await post('/idoc/shipments', '<Other><ORDER_ID>O0000001</ORDER_ID></Other>'),
      await post('/idoc/shipments', '<!DOCTYPE x [<!ENTITY a "b">]><ShipmentQuery><ORDER_ID>&a;</ORDER_ID></ShipmentQuery>'),
    ]) {
      expect(res.status).toBe(400);
      expect(selectText(await xml(res), p('ERROR.CODE'))).toBe('BAD_REQUEST');
    }
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
  });
});

describe('WMS simulator: status changes and change capture', () => {
  it('POST /idoc/shipments/{TKNUM}/status changes the status, and changed_since returns it, oldest change first', async () => {
    const s = data.shipments.filter((x) => x.status === 'in_transit')[0]!;
    const tknum = sim.shipment(s.orderId)!.shipmentNo;
    const before = sim.shipment(s.orderId)!.changedAt;
    const res = await post(`/idoc/shipments/${tknum}/status`, '<StatusUpdate><STTRG>7</STTRG><DATUM>20261105</DATUM><UZEIT>093000</UZEIT></StatusUpdate>');
    expect(res.status).toBe(200);
    const segment = selectAll(await xml(res), SHIPMENTS)[0];
    expect(selectText(segment, p('STTRG'))).toBe('7');
    expect(selectText(segment, p('E1EDT10[QUALF=007].UZEIT'))).toBe('093000');
    expect(sim.shipment(tknum)).toMatchObject({ status: 'delivered', deliveredAt: '2026-11-05T09:30:00.000Z' });
    expect(sim.shipment(tknum)!.changedAt).toBeGreaterThan(before);

    const other = data.shipments.filter((x) => x.status === 'in_transit')[1]!;
    sim.setShipmentStatus(other.orderId, 'delivered');
    const since = new Date(before).toISOString();
    const changed = selectAll(await xml(await fetch(`${url}/idoc/shipments?changed_since=${since}`)), SHIPMENTS);
    expect(changed.map(orderOf).slice(-2)).toEqual([s.orderId, other.orderId]);
    const stamps = changed.map((c) => selectText(c, p('Z1EDT20.TIMESTAMPL'))!);
    expect([...stamps].sort()).toEqual(stamps);
    expect(sim.stats.byRoute).toEqual({ 'POST /idoc/shipments/:tknum/status': 1, 'GET /idoc/shipments:changes': 1 });
  });

  it('pages change capture by (change stamp, TKNUM) with limit and after', async () => {
    const all = selectAll(await xml(await fetch(`${url}/idoc/shipments?changed_since=2000-01-01T00:00:00Z&limit=500`)), SHIPMENTS);
    expect(all.length).toBe(Math.min(500, data.shipments.length));
    const first = selectAll(await xml(await fetch(`${url}/idoc/shipments?changed_since=2000-01-01T00:00:00Z&limit=3`)), SHIPMENTS);
    const last = first[2]!;
    const cursor = `changed_since=${selectText(last, p('Z1EDT20.TIMESTAMPL'))}&after=${selectText(last, p('TKNUM'))}`;
    const next = selectAll(await xml(await fetch(`${url}/idoc/shipments?${cursor}&limit=3`)), SHIPMENTS);
    expect([...first, ...next].map((x) => selectText(x, p('TKNUM')))).toEqual(all.slice(0, 6).map((x) => selectText(x, p('TKNUM'))));
    expect((await fetch(`${url}/idoc/shipments?changed_since=yesterday`)).status).toBe(400);
  });

  it('refuses unknown shipments and unknown statuses', async () => {
    expect((await post('/idoc/shipments/0099999999/status', '<StatusUpdate><STTRG>7</STTRG></StatusUpdate>')).status).toBe(404);
    const tknum = sim.shipment(data.shipments[0]!.orderId)!.shipmentNo;
    expect((await post(`/idoc/shipments/${tknum}/status`, '<StatusUpdate><STTRG>9</STTRG></StatusUpdate>')).status).toBe(400);
    expect(sim.setShipmentStatus('O9999999', 'delivered')).toBeUndefined();
  });
});

describe('WMS simulator: knobs', () => {
  it('malformed: truncated XML', async () => {
    sim.knobs.malformed = true;
    const res = await fetch(`${url}/idoc/shipments?orders=O0000001,O0000003`);
    expect(res.status).toBe(200);
    await expect(xml(res)).rejects.toMatchObject({ code: 'CONN_ERR_MALFORMED_RESPONSE' });
  });

  it('errorRate: HTTP 500 with an XML error document, counted as an injected error', async () => {
    sim.knobs.errorRate = 1;
    const res = await fetch(`${url}/idoc/shipments?orders=O0000001`);
    expect(res.status).toBe(500);
    expect(selectText(await xml(res), p('ERROR.CODE'))).toBe('SYSTEM_FAILURE');
    expect(sim.stats.byRoute).toEqual({ '(injected error)': 1 });
  });

  it('hostile: the chosen attack, selectable in process and over HTTP', async () => {
    sim.knobs.hostile = true;
    const body = async () => Buffer.from(await (await fetch(`${url}/idoc/shipments?orders=O0000001`)).arrayBuffer());
    const bomb = (await body()).toString('utf8');
    expect(bomb).toContain('<!DOCTYPE SHPMNT05 [');
    expect(bomb).toContain('<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">');
    expect((await fetch(`${url}/__wms/hostile-kind?kind=external-entity`, { method: 'POST' })).status).toBe(200);
    expect(sim.hostileKind()).toBe('external-entity');
    expect((await body()).toString('utf8')).toContain('<!ENTITY xxe SYSTEM "file:///etc/passwd">');
    sim.setHostileKind('deep-nesting');
    expect((await body()).toString('utf8').split('<E1EDT20>').length - 1).toBe(10_000);
    sim.setHostileKind('utf16-entity-bomb');
    expect([...(await body()).subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect((await fetch(`${url}/__wms/hostile-kind?kind=nope`, { method: 'POST' })).status).toBe(400);
    for (const kind of HOSTILE_KINDS) {
      sim.setHostileKind(kind);
      await expect(parseXmlSafely(await body(), { maxBytes: 1 << 20 }, { connector: 'test' })).rejects.toMatchObject({ code: 'CONN_ERR_XML_FORBIDDEN' });
    }
  });

  it('oversized: streams over 30 MB of well-formed IDocs without a content-length', async () => {
    sim.knobs.oversized = true;
    const res = await fetch(`${url}/idoc/shipments?orders=O0000001`);
    expect(res.headers.get('content-length')).toBeNull();
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBeGreaterThanOrEqual(WMS_OVERSIZED_BYTES);
    expect(body.subarray(-12).toString()).toBe('</SHPMNT05>\n');
  });
});
