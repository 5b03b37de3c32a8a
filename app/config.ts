// Configuration: read once at the edge (the only module that reads process.env), validated with zod, defaults in
// one place, then frozen (STYLE.md 6). Sources, later ones winning: built-in defaults < the YAML file named by
// UNICS_CONFIG < environment variables (PORT, HOST, LOG_LEVEL, KAFKA_BROKERS, DATABASE_URL, REDIS_URL, CONNECT_URL).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { commonErrors } from '../common/index.ts';
import { LOG_LEVELS } from '../common/logger.ts';
import { builtinConnectorKinds } from '../connectors/builtin-kinds.ts';
import { createConnectorRegistry, validateConnectorDefinitions } from '../connectors/connector-registry.ts';

const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(4000),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 4000 }),
    log: z
      .object({
        level: z.enum(LOG_LEVELS).default('info'),
        pretty: z.boolean().default(false),
      })
      .strict()
      .default({ level: 'info', pretty: false }),
    /** The real services (from `npm run stack -- env`, or production addresses). Absent: embedded mode. */
    services: z
      .object({
        kafkaBrokers: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'must look like host:port')).min(1).optional(),
        databaseUrl: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
        redisUrl: z.url({ protocol: /^rediss?$/ }).optional(),
        connectUrl: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict()
      .default({}),
    /** Connector definitions (docs/connectors.md); each is validated by the connector registry below. */
    connectors: z.array(z.unknown()).default([]),
  })
  .strict();

export type Config = Readonly<z.infer<typeof configSchema>>;

/** Replaces `${NAME}` in every string of a parsed YAML document; a missing variable is an error naming it. */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path = ''): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) {
        throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(
          `config ${path || '(root)'}: refers to \${${name}}, but the environment variable ${name} is not set. Set it, or write the value in the file.`,
        );
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, path ? `${path}.${k}` : k)]));
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.join('.');
  let received: unknown = input;
  for (const key of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  const got = issue.code === 'unrecognized_keys' ? '' : `, but got ${JSON.stringify(received)}`;
  return `${path || '(root)'}: ${issue.message}${got}`;
}

/** Validates a plain config object (already merged from file and environment). */
export function parseConfig(input: unknown, source: string): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${describeIssue(i, input)}`);
    throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(`invalid configuration in ${source}:\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

function envPort(env: NodeJS.ProcessEnv): number | undefined {
  if (env.PORT === undefined || env.PORT === '') return undefined;
  if (!/^\d+$/.test(env.PORT)) {
    throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(`PORT must be a port number like 4000, but got ${JSON.stringify(env.PORT)}.`);
  }
  return Number(env.PORT);
}

/** Loads the configuration from UNICS_CONFIG (optional YAML file) and the environment. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  let fromFile: Record<string, unknown> = {};
  const file = env.UNICS_CONFIG;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(`UNICS_CONFIG names ${file}, which cannot be read: ${(err as Error).message}`, { cause: err });
    }
    let doc: unknown;
    try {
      doc = parseYaml(text, { maxAliasCount: 100 });
    } catch (err) {
      throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(`${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) {
      throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(`${file} must hold a YAML mapping (keys such as server:, log:), but holds a ${Array.isArray(doc) ? 'list' : typeof doc}.`);
    }
    fromFile = (interpolateEnv(doc ?? {}, env) as Record<string, unknown>);
  }
  const section = (key: string) => ({ ...((fromFile[key] as Record<string, unknown> | undefined) ?? {}) });
  const server = section('server');
  const log = section('log');
  const services = section('services');
  const port = envPort(env);
  if (port !== undefined) server.port = port;
  if (env.HOST) server.host = env.HOST;
  if (env.LOG_LEVEL) log.level = env.LOG_LEVEL;
  if (env.KAFKA_BROKERS) services.kafkaBrokers = env.KAFKA_BROKERS.split(',').map((s) => s.trim());
  if (env.DATABASE_URL) services.databaseUrl = env.DATABASE_URL;
  if (env.REDIS_URL) services.redisUrl = env.REDIS_URL;
  if (env.CONNECT_URL) services.connectUrl = env.CONNECT_URL;
  const config = parseConfig({ ...fromFile, server, log, services }, file ? `${file} and the environment` : 'the environment');
  // Connector definitions are checked here, at start-up, so a typo fails before anything listens.
  validateConnectorDefinitions(config.connectors, createConnectorRegistry(builtinConnectorKinds));
  return config;
}
