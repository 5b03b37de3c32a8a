// Request limits over real HTTP: each bomb gets a clear error with its GATEWAY code, and the server keeps serving.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './test-support/start-test-gateway.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('gateway limits over HTTP', () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startTestGateway({ limits: { apqMaxEntries: 2, maxVariablesBytes: 1024, maxCost: 5000 } });
  });
  afterAll(() => g.close());

  const expectServing = async () => {
    const next = await g.post({ query: '{ me { tenant } }' });
    expect(next.status).toBe(200);
    expect(next.body).toEqual({ data: { me: { tenant: 'demo' } } });
  };
  const expectError = async (body: unknown, status: number, code: string, message: RegExp, headers?: Record<string, string>) => {
    const res = await g.post(body, headers);
    expect(res.status).toBe(status);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions?.code).toBe(code);
    expect(res.body.errors[0].message).toMatch(message);
    await expectServing();
    return res;
  };

  it('refuses a depth bomb (400 GATEWAY_ERR_QUERY_TOO_DEEP)', async () => {
    const deep = `{ customer(id: "1") { ${'friends(first: 1) { '.repeat(20)}id${' }'.repeat(20)} } }`;
    await expectError({ query: deep }, 400, 'GATEWAY_ERR_QUERY_TOO_DEEP', /^the anonymous operation nests fields 22 levels deep, more than the limit of 12/);
  });

  it('refuses an alias bomb (400 GATEWAY_ERR_TOO_MANY_ALIASES)', async () => {
    const aliases = Array.from({ length: 100 }, (_, i) => `a${i}: me { tenant }`).join(' ');
    await expectError({ query: `query Many { ${aliases} }` }, 400, 'GATEWAY_ERR_TOO_MANY_ALIASES', /^operation "Many" uses 100 aliases, more than the limit of 30$/);
  });

  it('refuses a cost bomb, counting `first` from the variables (400 GATEWAY_ERR_QUERY_TOO_COSTLY)', async () => {
    const query = 'query Big($n: Int) { customers(ids: ["a", "b"]) { friends(first: $n) { orders(first: $n) { id } } } }';
    const ok = await g.post({ query, variables: { n: 3 } });
    expect(ok.status).toBe(200);
    const res = await expectError({ query, variables: { n: 100 } }, 400, 'GATEWAY_ERR_QUERY_TOO_COSTLY', /^operation "Big" has an estimated cost of 40,202, more than the limit of 5,000/);
    expect(res.body.errors[0].extensions.details).toEqual({ cost: 40202, limit: 5000 });
  });

  it('refuses a body over 1 MiB with 413 before parsing it', async () => {
    const body = JSON.stringify({ query: '{ me { tenant } }', variables: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    await expectError(body, 413, 'GATEWAY_ERR_PAYLOAD_TOO_LARGE', /^the request body is larger than the limit of 1mb$/);
  });

  it('refuses malformed JSON, an empty body and other content types with a clear error', async () => {
    await expectError('{"query": "{ me { tenant } }"', 400, 'GATEWAY_ERR_MALFORMED_REQUEST', /^the request body is not valid JSON/);
    await expectError('', 400, 'GATEWAY_ERR_MALFORMED_REQUEST', /^the request body is empty/);
    await expectError('query=x', 415, 'GATEWAY_ERR_UNSUPPORTED_MEDIA_TYPE', /^the content type "application\/x-www-form-urlencoded" is not supported; send "Content-Type: application\/json"$/, {
      'content-type': 'application/x-www-form-urlencoded',
    });
  });

  it('refuses large variables and too many operations', async () => {
    await expectError({ query: 'query($ids: [ID!]!) { customers(ids: $ids) { id } }', variables: { ids: Array.from({ length: 300 }, (_, i) => `C${i}`) } }, 400, 'GATEWAY_ERR_VARIABLES_TOO_LARGE', /^the variables take 1,999 bytes, more than the limit of 1,024$/);
    const ops = Array.from({ length: 11 }, (_, i) => `query Q${i} { me { tenant } }`).join(' ');
    await expectError({ query: ops, operationName: 'Q0' }, 400, 'GATEWAY_ERR_TOO_MANY_OPERATIONS', /^the document defines 11 operations, more than the limit of 10/);
  });

  it('refuses a document over the token limit at parse time', async () => {
    const ids = Array.from({ length: 11_000 }, (_, i) => `"C${i}"`).join(' ');
    await expectError({ query: `{ customers(ids: [${ids}]) { id } }` }, 400, 'GRAPHQL_PARSE_FAILED', /Document contains more that 10000 tokens. Parsing aborted/);
  });

  it('serves automatic persisted queries from a bounded cache', async () => {
    const queries = ['{ me { tenant } }', '{ me { subject } }', '{ me { roles } }'];
    const byHash = (q: string) => g.post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(q) } } });
    expect((await byHash(queries[0]!)).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    for (const q of queries.slice(0, 2)) {
      const registered = await g.post({ query: q, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(q) } } });
      expect(registered.body.data.me).toBeDefined();
    }
    expect((await byHash(queries[0]!)).body).toEqual({ data: { me: { tenant: 'demo' } } });
    expect((await byHash(queries[1]!)).body).toEqual({ data: { me: { subject: 'agent-1' } } });
    // A third query pushes out the least recently used one (the first).
    await g.post({ query: queries[2], extensions: { persistedQuery: { version: 1, sha256Hash: sha256(queries[2]!) } } });
    expect((await byHash(queries[0]!)).body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await byHash(queries[2]!)).body).toEqual({ data: { me: { roles: ['agent'] } } });
    // A wrong hash for a query is refused rather than stored.
    const forged = await g.post({ query: '{ me { tenant } }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('other') } } });
    expect(forged.status).toBe(400);
  });
});
