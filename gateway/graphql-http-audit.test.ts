// The official GraphQL over HTTP conformance audits (graphql-http) against the live /graphql, with a valid token.
// Every MUST audit has to pass; SHOULD/MAY results are reported in the failure message only.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-support/start-test-gateway.ts';

describe('GraphQL over HTTP audit (graphql-http serverAudits)', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startTestGateway();
  });
  afterAll(() => g.close());

  it('passes every MUST audit', async () => {
    const token = await g.token();
    const fetchFn: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const audits = serverAudits({ url: `${g.url}/graphql`, fetchFn });
    const musts = audits.filter((a) => a.name.startsWith('MUST'));
    expect(musts.length).toBeGreaterThan(10);
    const results = await Promise.all(audits.map(async (a) => ({ audit: a, result: await a.fn() })));
    const failed = results.filter((r) => r.audit.name.startsWith('MUST') && r.result.status !== 'ok');
    const others = results.filter((r) => !r.audit.name.startsWith('MUST') && r.result.status !== 'ok');
    const describe = (list: typeof results) => list.map((r) => `  ${r.audit.id} ${r.audit.name}: ${'reason' in r.result ? r.result.reason : r.result.status}`).join('\n');
    expect(failed, `MUST audits failed:\n${describe(failed)}\n(SHOULD/MAY not met, for information:\n${describe(others)})`).toEqual([]);
  });
});
