// Starts the poll captures of config.capture: each polls one API-only system through its connector's endpoint and
// auth, produces its changes to Kafka as Debezium-format envelopes, and keeps its position in Redis.
import { Redis } from 'ioredis';
import { commonErrors, type Clock, type Lifecycle, type Logger } from '../common/index.ts';
import { createCrmChangeSource, createHelpdeskChangeSource, createPollCapture, createRedisPositionStore, type ChangeSource, type PollCapture } from '../cdc/index.ts';
import { authConfigSchema } from '../connectors/http/upstream-auth.ts';
import type { Config } from './config.ts';

type CaptureConfig = Config['capture'][number];

const configError = (message: string) => commonErrors.errors.COMMON_ERR_CONFIG_INVALID(message);

/** The endpoint and auth of the connector a capture names. */
export function connectorEndpoint(config: Pick<Config, 'connectors'>, capture: CaptureConfig): { endpoint: string; auth: unknown } {
  const def = config.connectors.find((c) => typeof c === 'object' && c !== null && (c as { name?: unknown }).name === capture.connector) as
    | { endpoint?: unknown; auth?: unknown }
    | undefined;
  if (def === undefined) {
    const names = config.connectors.map((c) => (c as { name?: unknown }).name).filter((n) => typeof n === 'string');
    throw configError(`capture ${capture.name}: no connector "${capture.connector}" (connectors: ${names.join(', ') || 'none'}); capture[].connector names the connector whose endpoint and auth it polls`);
  }
  if (typeof def.endpoint !== 'string') throw configError(`capture ${capture.name}: connector "${capture.connector}" has no endpoint to poll`);
  return { endpoint: def.endpoint, auth: def.auth };
}

/** The change source a capture polls, through the endpoint and auth of the connector it names. */
export function captureSource(config: Pick<Config, 'connectors'>, capture: CaptureConfig, clock: Clock): ChangeSource {
  const { endpoint, auth } = connectorEndpoint(config, capture);
  if (capture.kind === 'crm') {
    const parsed = authConfigSchema.safeParse(auth);
    if (!parsed.success) throw configError(`capture ${capture.name}: connector "${capture.connector}" needs an auth block the CRM accepts (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    return createCrmChangeSource({ baseUrl: endpoint, auth: parsed.data, name: capture.name, clock });
  }
  return createHelpdeskChangeSource({ url: endpoint, name: capture.name, clock });
}

export async function startCaptures(config: Config, deps: { log: Logger; clock: Clock; lifecycle: Lifecycle }): Promise<PollCapture[]> {
  if (config.capture.length === 0) return [];
  const { kafkaBrokers, redisUrl } = config.services;
  const { log, clock, lifecycle } = deps;
  if (kafkaBrokers === undefined || redisUrl === undefined) {
    // Like the views, capture runs only with the real services; without them the gateway reads live.
    log.warn({ captures: config.capture.map((c) => c.name) }, 'capture: not started: it needs services.kafkaBrokers (where changes go) and services.redisUrl (where positions are kept); set KAFKA_BROKERS and REDIS_URL to run it');
    return [];
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  lifecycle.add('capture redis', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  const captures: PollCapture[] = [];
  for (const c of config.capture) {
    const source = captureSource(config, c, clock);
    lifecycle.add(`capture ${c.name} source`, () => source.close());
    const capture = createPollCapture({
      name: c.name,
      source,
      brokers: [...kafkaBrokers],
      positionStore: createRedisPositionStore(redis, { key: `unics:capture:${c.name}:position` }),
      intervalMs: c.interval,
      log: log.child({ module: 'capture', capture: c.name }),
      clock,
      ...(c.topic !== undefined ? { topic: c.topic } : {}),
    });
    await capture.start();
    // A send to an unreachable Kafka waits (the idempotent producer keeps retrying): bound the stop.
    lifecycle.add(`capture ${c.name}`, () => capture.stop(), { timeoutMs: 5_000 });
    captures.push(capture);
  }
  return captures;
}
