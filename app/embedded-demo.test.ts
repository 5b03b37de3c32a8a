import { describe, expect, it } from 'vitest';
import { demoConnectorDefinitions } from './embedded-demo.ts';

describe('demoConnectorDefinitions', () => {
  it('points every connector of unics.example.yaml at the running simulators, with the demo CRM secret', () => {
    const urls = { crm: 'http://127.0.0.1:41001', shop: 'http://127.0.0.1:41002', helpdesk: 'http://127.0.0.1:41003', wms: 'http://127.0.0.1:41004' };
    const defs = demoConnectorDefinitions(urls) as Array<Record<string, unknown>>;
    expect(defs.map((d) => d.name)).toEqual(['crm', 'shop', 'helpdesk', 'wms']);
    const text = JSON.stringify(defs);
    expect(text).not.toMatch(/127\.0\.0\.1:700[1-4]/);
    expect(defs[0]).toMatchObject({ endpoint: 'http://127.0.0.1:41001/api/v1', auth: { tokenUrl: 'http://127.0.0.1:41001/oauth/token', clientSecret: 'demo-secret' } });
    expect(defs[1]).toMatchObject({ wsdl: 'http://127.0.0.1:41002/shop?wsdl' });
    expect(defs[2]).toMatchObject({ endpoint: 'http://127.0.0.1:41003/graphql' });
    expect(defs[3]).toMatchObject({ endpoint: 'http://127.0.0.1:41004' });
  });
});
