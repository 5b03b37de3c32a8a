import { describe, expect, it } from 'vitest';
import { shopDemoDefinition } from './fixtures/demo-config.ts';
import { soapConfigSchema } from './soap-config.ts';

const issues = (input: unknown) => {
  const r = soapConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('soap config', () => {
  it('fills defaults for the demo definition', () => {
    const c = soapConfigSchema.parse(shopDemoDefinition('http://127.0.0.1:7002/shop?wsdl'));
    expect(c).toMatchObject({ auth: { type: 'none' }, maxResponseSize: 8 * 1024 * 1024, wsdlTimeout: 10_000, maxXmlDepth: 64 });
    expect(c.entities.order).toEqual({ operation: 'GetOrder', keyArg: 'orderId', resultPath: 'order', keyField: 'id', many: false, notFoundFault: 'NotFound' });
    expect(c.commands.refundOrder).toEqual({ operation: 'RefundOrder', idempotent: false, resultPath: 'order' });
  });

  it('parses sizes and durations with units, and explains a bare number', () => {
    const base = shopDemoDefinition('http://h/shop?wsdl');
    expect(soapConfigSchema.parse({ ...base, maxResponseSize: '512kb', wsdlTimeout: '2s' })).toMatchObject({ maxResponseSize: 524_288, wsdlTimeout: 2_000 });
    expect(issues({ ...base, maxResponseSize: 8 })).toEqual(['maxResponseSize: maxResponseSize must be a size like "1mb", but got 8. Write "8kb" or "8b".']);
  });

  it('refuses unknown keys, a non-http WSDL URL, and entities without a way to pass keys', () => {
    const base = shopDemoDefinition('http://h/shop?wsdl');
    expect(issues({ ...base, wsld: 'x' })).toEqual([': Unrecognized key: "wsld"']);
    expect(issues({ ...base, wsdl: 'file:///etc/shop.wsdl' })[0]).toMatch(/^wsdl: /);
    expect(issues({ ...base, entities: { o: { operation: 'GetOrder', resultPath: 'order' } } })).toEqual([
      'entities.o: needs exactly one of keysArg (a list argument, many keys per call) or keyArg (one key per call)',
    ]);
    expect(issues({ ...base, entities: { o: { operation: 'GetOrdersByCustomer', keysArg: 'customerNos.customerNo' } } })).toEqual([
      'entities.o.keyField: is required with keysArg: it says which field of each record holds its key, so records are matched to keys by key',
    ]);
    expect(issues({ ...base, entities: { o: { operation: 'GetOrder', keyArg: 'order id' } } })[0]).toContain('must be a dot path of element names');
  });
});
