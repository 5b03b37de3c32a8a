// Closed-loop load where every request asks for another customer's profile, run as its own process:
//   node bench/gateway/varied-load.ts '<json LoadOptions with distinctProfilesFor>'  -> autocannon's JSON result
// autocannon's CLI sends one fixed body; its API builds each request's body here (setupRequest), still in a
// process of its own, apart from the contender measured.
import { createRequire } from 'node:module';
import type { LoadOptions } from './autocannon-run.ts';
import { distinctCustomerId, requestBody, type ContenderName } from './queries.ts';

/** The bodies of the first `count` requests for a contender (pure; the load uses the same sequence). */
export function distinctBodies(contender: ContenderName, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => requestBody(contender, 'profile-distinct', distinctCustomerId(from + i)));
}

interface RequestParams {
  body?: string;
  [key: string]: unknown;
}
// autocannon ships no types (and @types/autocannon is not installed): the part of its API used here.
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  method: string;
  headers: Readonly<Record<string, string>>;
  requests: Array<{ setupRequest: (req: RequestParams) => RequestParams }>;
}) => Promise<unknown>;

if (import.meta.url === `file://${process.argv[1]}`) {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const o = JSON.parse(process.argv[2] ?? '{}') as LoadOptions & { distinctProfilesFor: ContenderName };
  let n = 0;
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.durationSeconds,
    timeout: o.timeoutSeconds ?? 10,
    method: 'POST',
    headers: o.headers,
    requests: [{ setupRequest: (req) => ({ ...req, body: requestBody(o.distinctProfilesFor, 'profile-distinct', distinctCustomerId(n++)) }) }],
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
