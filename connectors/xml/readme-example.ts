// The demo connector definition as the README shows it, for tests: the first ```yaml block of README.md, so the
// documented example is the one that is tested.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

// The keys the registry handles itself and does not pass to a kind's schema (connector-config.ts SHARED_KEYS, minus
// `name`, which it re-adds).
const SHARED = new Set(['kind', 'timeout', 'retry', 'breaker', 'cacheTtl', 'cache', 'concurrency', 'maxQueue']);

/** The kind-specific part of the README's `wms` definition (what the registry passes to configSchema). */
export function readmeWmsDefinition(endpoint?: string): Record<string, unknown> {
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  if (block === undefined) throw new Error('connectors/xml/README.md has no ```yaml block');
  const def = (parse(block) as { connectors: Array<Record<string, unknown>> }).connectors[0]!;
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(def)) if (!SHARED.has(k)) own[k] = v;
  if (endpoint !== undefined) own['endpoint'] = endpoint;
  return own;
}
