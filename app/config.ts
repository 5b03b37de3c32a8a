// Configuration: read once at the edge (the only module that reads process.env), validated with zod, defaults in
// one place, then frozen (STYLE.md 6). Sources, later ones winning: built-in defaults < the YAML file named by
// UNICS_CONFIG < environment variables (PORT, HOST, LOG_LEVEL, KAFKA_BROKERS, DATABASE_URL, REDIS_URL, CONNECT_URL,
// UNICS_JWT_SECRET). Without UNICS_CONFIG the process is the embedded demo (demo.embedded).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { commonErrors, createSecretMatcher, REDACTED } from '../common/index.ts';
import { LOG_LEVELS } from '../common/logger.ts';
import { builtinConnectorKinds } from '../connectors/builtin-kinds.ts';
import { durationField, sizeField } from '../connectors/config-fields.ts';
import { createConnectorRegistry, validateConnectorDefinitions } from '../connectors/connector-registry.ts';
import { ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS, MIN_SECRET_LENGTH } from '../gateway/auth/token-verifier.ts';
import { DEFAULT_LIMITS } from '../gateway/limits/gateway-limits.ts';

/** The parts of the unified graph a connector entity serves (schema/schema-module.ts SourceMap, less the command). */
const SOURCE_ROLES = ['contact', 'contactByEmail', 'contactByPhone', 'ordersByCustomer', 'order', 'ticketsByUser', 'shipmentsByOrder'] as const;

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
    /** Who may call the gateway: bearer JWTs signed with a shared HS256 secret or by an identity provider's JWKS. */
    auth: z
      .object({
        /** Shared HS256 secret (UNICS_JWT_SECRET). Neither this nor jwksUrl: the built-in development secret, with a warning. */
        hs256Secret: z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`).optional(),
        jwksUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Accepted algorithms; default HS256 with a secret, RS256 with a JWKS. */
        algorithms: z.array(z.enum([...HMAC_ALGORITHMS, ...ASYMMETRIC_ALGORITHMS])).min(1).optional(),
        issuer: z.string().min(1).optional(),
        audience: z.string().min(1).optional(),
        /** Tenants this gateway serves; tokens for others get 403. */
        tenants: z.array(z.string().min(1)).min(1).default(['demo']),
      })
      .strict()
      .refine((a) => !(a.hs256Secret !== undefined && a.jwksUrl !== undefined), 'set hs256Secret or jwksUrl, not both')
      .default({ tenants: ['demo'] }),
    gateway: z
      .object({
        /** Honour the x-unics-explain: 1 header (extensions.unics). */
        explain: z.boolean().default(true),
        introspection: z.boolean().default(true),
        limits: z
          .object({
            bodyLimit: sizeField('gateway.limits.bodyLimit', { minBytes: 1024 }).prefault('1mb'),
            maxTokens: z.number().int().positive().default(DEFAULT_LIMITS.maxTokens),
            maxDepth: z.number().int().positive().default(DEFAULT_LIMITS.maxDepth),
            maxAliases: z.number().int().positive().default(DEFAULT_LIMITS.maxAliases),
            maxCost: z.number().int().positive().default(DEFAULT_LIMITS.maxCost),
            defaultListSize: z.number().int().positive().default(DEFAULT_LIMITS.defaultListSize),
            maxOperations: z.number().int().positive().default(DEFAULT_LIMITS.maxOperations),
            maxVariablesSize: sizeField('gateway.limits.maxVariablesSize', { minBytes: 64 }).prefault('64kb'),
            requestTimeout: durationField('gateway.limits.requestTimeout', { minMs: 100 }).prefault('30s'),
            wsMaxPayload: sizeField('gateway.limits.wsMaxPayload', { minBytes: 1024 }).prefault('1mb'),
            apqMaxEntries: z.number().int().positive().default(DEFAULT_LIMITS.apqMaxEntries),
            apqMaxSize: sizeField('gateway.limits.apqMaxSize', { minBytes: 1024 }).prefault('16mb'),
          })
          .strict()
          .prefault({}),
        /** Which connector and entity serve each part of the graph, over the demo's defaults (schema/default-source-map.ts). */
        sources: z
          .object(Object.fromEntries(SOURCE_ROLES.map((role) => [role, z.object({ connector: z.string().min(1), entity: z.string().min(1) }).strict().optional()])))
          .extend({ refundOrder: z.object({ connector: z.string().min(1), command: z.string().min(1) }).strict().optional() })
          .strict()
          .default({}),
        /** Readiness: each connector's check() gets this long, and the answer is reused for cacheTtl. */
        readiness: z
          .object({
            timeout: durationField('gateway.readiness.timeout', { minMs: 10 }).prefault('2s'),
            cacheTtl: durationField('gateway.readiness.cacheTtl', { minMs: 0 }).prefault('5s'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Materialized customer views (materialized-views/): kept fresh from Kafka, read before the connectors. */
    views: z
      .object({
        /** Default: on when services.kafkaBrokers and services.redisUrl are both set, and in the embedded demo (in process). */
        enabled: z.boolean().optional(),
        /** The tenant whose views the change streams feed. */
        tenant: z.string().min(1).regex(/^[^:\s]+$/, 'must not contain ":" or spaces').default('demo'),
        /** A source part of a view older than this is not used; the field is read live. 0: always live. */
        freshnessBudget: durationField('views.freshnessBudget', { minMs: 0 }).prefault('300ms'),
        /** Run the pipeline's consumer in this process (one consumer group across instances). */
        consume: z.boolean().default(true),
        groupId: z.string().min(1).default('unics-views-customer360'),
        /** Change topics; named ones are created when missing. "/…/" is a regular expression, matched only against
         * the topics that exist when the pipeline starts. */
        topics: z.array(z.string().min(1)).min(1).default(['unics.crm.contacts', 'unics.shop.orders', 'unics.shop.order_items', 'unics.shop.payments', 'unics.helpdesk.tickets']),
        /** Heartbeat topic → source name: heartbeats move the source's freshness watermark when nothing changes. */
        heartbeats: z.record(z.string().min(1), z.string().min(1)).default({ '__debezium-heartbeat.unics': 'shop', '__debezium-heartbeat.crm': 'crm', '__debezium-heartbeat.helpdesk': 'helpdesk' }),
        /** The compacted topic for data teams (key = customer id, value = the view); false: none. */
        changefeedTopic: z.union([z.string().min(1), z.literal(false)]).default('unics.customer360'),
        /** The Debezium connector's signalling, for `npx unics views rebuild --via debezium` (stack/settings.ts names). */
        debezium: z
          .object({
            /** Its signal.data.collection ("schema.table"); created when missing. */
            signalTable: z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'a lower-case "schema.table" name').default('public.debezium_signal'),
            /** Its notification.sink.topic.name. */
            notificationTopic: z.string().min(1).default('__debezium-notification.unics'),
            /** Its topic.prefix. */
            topicPrefix: z.string().min(1).default('unics'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /**
     * Poll-based change capture for systems without a database log: each entry polls one system's change API and
     * produces Debezium-format envelopes to Kafka (cdc/poll-capture). Endpoint and auth come from the named connector.
     */
    capture: z
      .array(
        z
          .object({
            /** Capture name: the heartbeat topic is __debezium-heartbeat.<name>, the position key unics:capture:<name>:position. */
            name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
            kind: z.enum(['crm', 'helpdesk']),
            /** The connector whose endpoint and auth the capture uses. */
            connector: z.string().min(1),
            /** Time between polls; freshness of this source's views is about interval + one poll. */
            interval: durationField('capture[].interval', { minMs: 10 }).prefault('100ms'),
            /** Default unics.<kind's system>.<table> (unics.crm.contacts, unics.helpdesk.tickets). */
            topic: z.string().min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * The service assistant (assistant/README.md): intent plugins that answer visitors in the chat from the customer's
     * profile, and hand over to an agent. Plugin names are checked when the assistant loads (ASSIST_ERR_PLUGIN_INVALID).
     */
    assistant: z
      .object({
        enabled: z.boolean().default(true),
        /** Minimum combined confidence (0–1) to answer; below it the assistant says nothing. */
        threshold: z.number().min(0).max(1).default(0.6),
        /** Minimum lead of the best intent over the next (0–1); closer than this is ambiguous and not answered. */
        margin: z.number().min(0).max(1).default(0.1),
        /** Sentiment score at or below which the assistant hands over (the lexicon gives -2 for one strong cue). */
        negativeSentiment: z.number().max(0).default(-2),
        /** Longest visitor message the assistant reads, in characters. */
        maxMessageChars: z.number().int().min(1).max(100_000).default(2000),
        /** Budget for answering one message, the profile read included. */
        respondTimeout: durationField('assistant.respondTimeout', { minMs: 50 }).prefault('800ms'),
        /** IANA time zone of the "as of 12:03:07" notes. */
        timeZone: z
          .string()
          .refine((tz) => {
            try {
              new Intl.DateTimeFormat('en', { timeZone: tz });
              return true;
            } catch {
              return false;
            }
          }, 'must be an IANA time zone such as "Europe/Berlin" or "UTC"')
          .default('UTC'),
        /** A FAQ knowledge file instead of the built-in assistant/faq.yaml. */
        faqFile: z.string().min(1).optional(),
        /** Integrators' plugin modules (each exports an IntentPlugin as default); `npx unics new intent <name>`. */
        modules: z.array(z.string().min(1)).default([]),
        /** Per plugin: enabled, weight (0–1, multiplies its confidence), priority (higher answers first on a tie). */
        plugins: z
          .record(z.string(), z.object({ enabled: z.boolean().optional(), weight: z.number().min(0).max(1).optional(), priority: z.number().optional() }).strict())
          .superRefine((plugins, ctx) => {
            for (const name of Object.keys(plugins)) {
              if (!/^[a-z][a-z0-9-]*$/.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a plugin name (lower-case letters, digits and dashes, like "order-status")` });
            }
          })
          .default({}),
      })
      .strict()
      .prefault({}),
    /**
     * The WebSocket chat (chat/): ws /chat. Its store is PostgreSQL when services.databaseUrl is set, else PGlite in
     * process (the embedded demo); its fan-out across instances is Redis pub/sub when services.redisUrl is set.
     */
    chat: z
      .object({
        /** Default: on in the embedded demo and when services.databaseUrl is set. */
        enabled: z.boolean().optional(),
        /** PostgreSQL schema of the chat's tables (created by its migrations). */
        schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and underscores').default('chat'),
        /** PGlite only: directory to keep the data in; absent: in memory (lost at exit). */
        dataDir: z.string().min(1).optional(),
        /** PostgreSQL connections in the chat's pool. */
        poolSize: z.number().int().min(1).max(100).default(10),
        /** Secret visitor tokens are signed with (at least 32 characters). Default: derived from the HS256 auth secret. */
        visitorTokenSecret: z.string().min(32, 'must be at least 32 characters').optional(),
        /** Serve POST /chat/visitor-token (any caller gets a token for any customer: the demo only). Default: demo.embedded. */
        visitorTokenRoute: z.boolean().optional(),
        /** Tenant of the tokens POST /chat/visitor-token issues. */
        visitorTenant: z.string().min(1).default('demo'),
        visitorTokenLifetime: durationField('chat.visitorTokenLifetime', { minMs: 60_000 }).prefault('24h'),
        /** Roles that make a JWT an agent's on the chat. */
        agentRoles: z.array(z.string().min(1)).min(1).default(['agent', 'supervisor']),
        /** Redis channel prefix of the fan-out. */
        redisPrefix: z.string().min(1).default('unics:chat:'),
        /** Routing of conversations to agents (chat/routing). */
        routing: z
          .object({
            /** Assign waiting conversations to the best free agent; false: agents pick them with accept. */
            autoAssign: z.boolean().default(true),
            /** Conversations an agent holds at once until they send another capacity in a presence frame. */
            defaultCapacity: z.number().int().min(0).max(50).default(3),
            /** Roles that may read and send in any conversation of their tenant. */
            supervisorRoles: z.array(z.string().min(1)).default(['supervisor']),
            /** An agent session not refreshed this long belongs to a dead instance: the agent goes offline. */
            sessionTtl: durationField('chat.routing.sessionTtl', { minMs: 5000 }).prefault('60s'),
            /** How often each instance refreshes its sessions, expires dead ones and dispatches. */
            sweepInterval: durationField('chat.routing.sweepInterval', { minMs: 100 }).prefault('10s'),
          })
          .strict()
          .prefault({}),
        limits: z
          .object({
            /** Largest WebSocket message read; larger closes the socket with 1009. */
            maxPayload: sizeField('chat.limits.maxPayload', { minBytes: 1024 }).prefault('64kb'),
            /** Largest frame decoded; larger gets CHAT_ERR_FRAME_TOO_LARGE. */
            maxFrame: sizeField('chat.limits.maxFrame', { minBytes: 256 }).prefault('16kb'),
            maxTextChars: z.number().int().min(1).max(1_000_000).default(4000),
            /** Frames a connection may send: per second on average, and in a burst. */
            rateLimit: z.object({ perSecond: z.number().positive().default(20), burst: z.number().int().min(1).default(40) }).strict().prefault({}),
            /** Send buffer above which a client is closed as a slow consumer (1013). */
            maxBuffered: sizeField('chat.limits.maxBuffered', { minBytes: 1024 }).prefault('1mb'),
            /** Ping interval; a socket that missed the previous ping is terminated. */
            heartbeatInterval: durationField('chat.limits.heartbeatInterval', { minMs: 100 }).prefault('30s'),
            /** Entries read from the store per page of a resume. */
            resumePageSize: z.number().int().min(1).max(10_000).default(200),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** The embedded demo: the legacy simulators in process and the demo connectors pointed at them. */
    demo: z
      .object({
        /** Default: true without UNICS_CONFIG, false with it. */
        embedded: z.boolean().default(false),
        /** Demo customers to generate. */
        customers: z.number().int().min(1).max(1_000_000).default(10_000),
      })
      .strict()
      .default({ embedded: false, customers: 10_000 }),
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

const secretKeys = createSecretMatcher();

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.join('.');
  let received: unknown = input;
  for (const key of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
  // A secret's value never goes into a message (it would end up on stderr and in logs).
  const secret = issue.path.some((key) => typeof key === 'string' && secretKeys.isSecret(key));
  const got = issue.code === 'unrecognized_keys' ? '' : `, but got ${secret ? REDACTED : JSON.stringify(received)}`;
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
  const auth = section('auth');
  const demo = section('demo');
  demo.embedded ??= !file;
  if (env.UNICS_JWT_SECRET) auth.hs256Secret = env.UNICS_JWT_SECRET;
  const port = envPort(env);
  if (port !== undefined) server.port = port;
  if (env.HOST) server.host = env.HOST;
  if (env.LOG_LEVEL) log.level = env.LOG_LEVEL;
  if (env.KAFKA_BROKERS) services.kafkaBrokers = env.KAFKA_BROKERS.split(',').map((s) => s.trim());
  if (env.DATABASE_URL) services.databaseUrl = env.DATABASE_URL;
  if (env.REDIS_URL) services.redisUrl = env.REDIS_URL;
  if (env.CONNECT_URL) services.connectUrl = env.CONNECT_URL;
  const config = parseConfig({ ...fromFile, server, log, services, auth, demo }, file ? `${file} and the environment` : 'the environment');
  // Connector definitions are checked here, at start-up, so a typo fails before anything listens.
  validateConnectorDefinitions(config.connectors, createConnectorRegistry(builtinConnectorKinds));
  return config;
}
