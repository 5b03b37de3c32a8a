// The embedded demo (`npm start` without UNICS_CONFIG): the four legacy simulators in this process on free ports,
// and the demo connectors of unics.example.yaml pointed at them, so a newcomer can query a customer at once.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startLegacySystems, type LegacySystems } from '../examples/legacy/start-legacy-systems.ts';
import { interpolateEnv } from './config.ts';

export const EXAMPLE_CONFIG_FILE = new URL('../unics.example.yaml', import.meta.url);
/** The simulator's OAuth2 client secret (examples/legacy/crm). */
export const DEMO_CRM_SECRET = 'demo-secret';
/** The ports unics.example.yaml names, and which simulator each belongs to. */
const EXAMPLE_PORTS = { crm: 7001, shop: 7002, helpdesk: 7003, wms: 7004 } as const;

/** unics.example.yaml's connectors with every http://127.0.0.1:700x replaced by the running simulator's address. */
export function demoConnectorDefinitions(urls: LegacySystems['urls'], exampleFile: URL | string = EXAMPLE_CONFIG_FILE): unknown[] {
  const doc = parseYaml(readFileSync(exampleFile, 'utf8')) as { connectors?: unknown };
  const connectors = interpolateEnv(doc.connectors ?? [], { CRM_SECRET: DEMO_CRM_SECRET }, 'connectors');
  const repoint = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let out = value;
      for (const [system, port] of Object.entries(EXAMPLE_PORTS)) out = out.replaceAll(`http://127.0.0.1:${port}`, urls[system as keyof typeof EXAMPLE_PORTS]);
      return out;
    }
    if (Array.isArray(value)) return value.map(repoint);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, repoint(v)]));
    return value;
  };
  return repoint(connectors) as unknown[];
}

export interface EmbeddedDemo {
  readonly systems: LegacySystems;
  readonly connectors: unknown[];
}

export async function startEmbeddedDemo(options: { customers: number; progress?: (message: string) => void }): Promise<EmbeddedDemo> {
  const systems = await startLegacySystems({ customers: options.customers, basePort: 0, ...(options.progress ? { progress: options.progress } : {}) });
  try {
    return { systems, connectors: demoConnectorDefinitions(systems.urls) };
  } catch (err) {
    await systems.close();
    throw err;
  }
}
