// The mapping core on a real answer recorded from the WMS simulator (fixtures/wms-shipments-batch.xml: orders
// O0000001, O0000002, O0000003, O0000010, O0000013, O0000018, O9999999 of the 50-customer demo data set).
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoData } from '../../examples/legacy/demo-data.ts';
import { parseXmlSafely, type XmlDocument } from './safe-xml.ts';
import { xmlConfigSchema, type XmlEntityConfig } from './xml-config.ts';
import { compileXmlPath } from './xml-path.ts';
import { extractRecords, mapResponse, recordKey, type RecordMapping } from './xml-records.ts';
import { readmeWmsDefinition } from './readme-example.ts';

const data = generateDemoData({ customers: 50 });
const ctx = { connector: 'wms', entity: 'shipmentsByOrder' };
let doc: XmlDocument;
let entity: XmlEntityConfig;

beforeAll(async () => {
  doc = await parseXmlSafely(await readFile(new URL('./fixtures/wms-shipments-batch.xml', import.meta.url)), { maxBytes: 1 << 20 }, { connector: 'wms' });
  entity = xmlConfigSchema.parse(readmeWmsDefinition()).entities['shipmentsByOrder']!;
});

const toSecond = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();

describe('xml mapping core on the recorded WMS answer', () => {
  it('finds one record per IDoc, in the warehouse order (not the request order)', () => {
    const keys = extractRecords(doc, entity, ctx).map((r) => recordKey(r, entity));
    expect(keys).toHaveLength(4);
    expect(new Set(keys)).toEqual(new Set(['O0000001', 'O0000003', 'O0000013', 'O0000018']));
    expect(keys).not.toEqual(['O0000001', 'O0000003', 'O0000013', 'O0000018']);
  });

  it('aligns by order id: every key once, [] for orders without a shipment, fields mapped from SAP names', () => {
    const keys = ['O9999999', 'O0000018', 'O0000002', 'O0000001', 'O0000013', 'O0000010', 'O0000003'];
    const result = mapResponse(doc, keys, entity, ctx);
    expect([...result.keys()]).toEqual(keys);
    for (const key of ['O9999999', 'O0000002', 'O0000010']) expect(result.get(key)).toEqual({ status: 'ok', value: [] });
    for (const key of ['O0000001', 'O0000003', 'O0000013', 'O0000018']) {
      const s = data.shipments.find((x) => x.orderId === key)!;
      const skus = data.items.filter((i) => i.orderId === key).map((i) => i.sku);
      const value = (result.get(key) as { value: unknown[] }).value;
      expect(value).toHaveLength(1);
      expect(value[0]).toEqual({
        shipmentNo: expect.stringMatching(/^\d{10}$/),
        deliveryNo: s.id,
        carrier: s.carrier,
        trackingNo: s.trackingNo,
        status: s.status,
        warehouse: s.warehouse,
        shippedAt: toSecond(s.shippedAt),
        deliveredAt: s.deliveredAt === null ? null : toSecond(s.deliveredAt),
        skus,
      });
    }
    expect(data.shipments.find((x) => x.orderId === 'O0000013')!.carrier).toBe('SF Express');
  });

  it('without many, the first record or not_found', () => {
    const one: RecordMapping = { ...entity, many: false };
    const result = mapResponse(doc, ['O0000001', 'O0000002'], one, ctx);
    expect(result.get('O0000001')).toMatchObject({ status: 'ok', value: { deliveryNo: data.shipments.find((x) => x.orderId === 'O0000001')!.id } });
    expect(result.get('O0000002')).toEqual({ status: 'not_found' });
  });

  it('without fields, records come back as parsed', () => {
    const raw: RecordMapping = { recordPath: entity.recordPath, keyField: entity.keyField, many: false, fields: undefined };
    const value = (mapResponse(doc, ['O0000003'], raw, ctx).get('O0000003') as { value: Record<string, unknown> }).value;
    expect(value['TKNUM']).toMatch(/^\d{10}$/);
    expect(value['$']).toEqual({ SEGMENT: '1' });
  });

  it('a record whose field does not fit fails only its own key', async () => {
    const broken = (await readFile(new URL('./fixtures/wms-shipments-batch.xml', import.meta.url), 'utf8')).replace(/<DATUM>\d{8}<\/DATUM>/, '<DATUM>20261399</DATUM>');
    const brokenDoc = await parseXmlSafely(broken, { maxBytes: 1 << 20 }, { connector: 'wms' });
    const keys = ['O0000001', 'O0000003', 'O0000013', 'O0000018'];
    const result = mapResponse(brokenDoc, keys, entity, ctx);
    const errors = keys.filter((k) => result.get(k)?.status === 'error');
    expect(errors).toHaveLength(1);
    const err = (result.get(errors[0]!) as { error: Error & { code: string } }).error;
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toBe(
      'connector "wms": entity "shipmentsByOrder": field "shippedAt" (E1EDT10[QUALF=006].DATUM) must be a real calendar date and time (YYYYMMDD, HHMMSS), but the upstream sent "20261399"',
    );
    expect(keys.filter((k) => result.get(k)?.status === 'ok')).toHaveLength(3);
  });

  it('rejects a document of another kind (an error page with HTTP 200) as a whole', () => {
    const err = (() => {
      try {
        mapResponse({ ERROR: { CODE: 'X' } }, ['O0000001'], entity, ctx);
      } catch (e) {
        return e as Error & { code: string };
      }
      throw new Error('expected a rejection');
    })();
    expect(err.code).toBe('CONN_ERR_MALFORMED_RESPONSE');
    expect(err.message).toBe('connector "wms": entity "shipmentsByOrder": expected a <SHPMNT05> document (recordPath SHPMNT05.IDOC.E1EDT20), but the upstream answered <ERROR>');
  });

  it('an empty packet means every key has no shipment', () => {
    expect(mapResponse({ SHPMNT05: '' }, ['O0000001'], entity, ctx).get('O0000001')).toEqual({ status: 'ok', value: [] });
  });

  it('reads field types: numbers with SAP trailing minus, integers, flags, plain dates', () => {
    const mapping: RecordMapping = {
      recordPath: compileXmlPath('R.I'),
      keyField: compileXmlPath('K'),
      many: false,
      fields: xmlConfigSchema.parse({
        name: 'x',
        endpoint: 'http://127.0.0.1:1',
        entities: {
          e: {
            path: '/',
            keysParam: 'k',
            recordPath: 'R.I',
            keyField: 'K',
            fields: {
              amount: { path: 'A', type: 'number' },
              qty: { path: 'Q', type: 'integer' },
              flag: { path: 'F', type: 'boolean' },
              day: { path: 'D', type: 'sap-date' },
              none: { path: 'N', type: 'sap-date' },
              missing: 'MISSING',
            },
          },
        },
      }).entities['e']!.fields,
    };
    const result = mapResponse({ R: { I: { K: '1', A: '12.50-', Q: '3', F: 'X', D: '20261101', N: '00000000' } } }, ['1'], mapping, ctx);
    expect(result.get('1')).toEqual({ status: 'ok', value: { amount: -12.5, qty: 3, flag: true, day: '2026-11-01', none: null, missing: null } });
    const bad = mapResponse({ R: { I: { K: '1', A: 'x', Q: '3.5', F: 'maybe', D: '1', N: '' } } }, ['1'], mapping, ctx);
    expect(bad.get('1')).toMatchObject({ status: 'error', error: { code: 'CONN_ERR_MALFORMED_RESPONSE' } });
  });
});
