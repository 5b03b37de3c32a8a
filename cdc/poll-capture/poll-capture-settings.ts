// The poll capture's options checked once, with every default in one place (STYLE.md 6). Mistakes fail at
// creation with COMMON_ERR_CONFIG_INVALID naming the setting, what was expected and what arrived.
import { commonErrors } from '../../common/error-catalogue.ts';
import type { PollCaptureOptions } from './create-poll-capture.ts';

export const POLL_CAPTURE_DEFAULTS = Object.freeze({
  intervalMs: 250,
  pageSize: 500,
  requestTimeoutMs: 10_000,
  backoffInitialMs: 250,
  backoffMaxMs: 5_000,
  maxPagesPerPoll: 1_000,
  maxRemembered: 10_000,
});

/** The most records one page may ask for (the CRM's own limit; the helpdesk caps at 500 itself). */
export const MAX_PAGE_SIZE = 1000;

export type PollCaptureSettings = Readonly<
  Omit<PollCaptureOptions, 'topic' | 'heartbeatTopic' | 'clientId' | keyof typeof POLL_CAPTURE_DEFAULTS> & {
    topic: string;
    heartbeatTopic: string;
    clientId: string;
    brokers: readonly string[];
  } & { [K in keyof typeof POLL_CAPTURE_DEFAULTS]: number }
>;

/** Kafka's legal topic characters, which the name becomes part of. */
const NAME = /^[A-Za-z0-9._-]{1,200}$/;

function invalid(name: string, setting: string, expected: string, got: unknown): Error {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  return commonErrors.errors.COMMON_ERR_CONFIG_INVALID(`poll capture "${name}": ${setting} must be ${expected}, but got ${shown}`, {
    details: { setting, expected, received: shown },
  });
}

function wholeNumber(name: string, setting: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(name, setting, `a whole number from ${min} to ${max}`, value);
  return v;
}

export function resolvePollCaptureSettings(o: PollCaptureOptions): PollCaptureSettings {
  const name = o.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(String(name), 'name', 'letters, digits, ".", "_" or "-" (it becomes part of a Kafka topic name), like "crm"', name);
  }
  if ((o.producer === undefined) === (o.brokers === undefined)) {
    const got = o.producer === undefined ? 'neither' : 'both';
    throw commonErrors.errors.COMMON_ERR_CONFIG_INVALID(
      `poll capture "${name}": give exactly one of \`producer\` (a producer you own) and \`brokers\` (the capture builds its own), but got ${got}`,
      { details: { setting: 'producer/brokers', received: got } },
    );
  }
  if (o.brokers !== undefined && (o.brokers.length === 0 || o.brokers.some((b) => typeof b !== 'string' || b === ''))) {
    throw invalid(name, 'brokers', 'a non-empty list of "host:port"', JSON.stringify(o.brokers));
  }
  const d = POLL_CAPTURE_DEFAULTS;
  const backoffInitialMs = wholeNumber(name, 'backoffInitialMs', o.backoffInitialMs, d.backoffInitialMs, 1, 3_600_000);
  const settings: PollCaptureSettings = {
    ...o,
    name,
    topic: o.topic ?? `unics.${o.source.system}.${o.source.table}`,
    heartbeatTopic: o.heartbeatTopic ?? `__debezium-heartbeat.${name}`,
    clientId: o.clientId ?? `unics-poll-${name}`,
    brokers: o.brokers ?? [],
    intervalMs: wholeNumber(name, 'intervalMs', o.intervalMs, d.intervalMs, 1, 3_600_000),
    pageSize: wholeNumber(name, 'pageSize', o.pageSize, d.pageSize, 1, MAX_PAGE_SIZE),
    requestTimeoutMs: wholeNumber(name, 'requestTimeoutMs', o.requestTimeoutMs, d.requestTimeoutMs, 1, 3_600_000),
    backoffInitialMs,
    backoffMaxMs: wholeNumber(name, 'backoffMaxMs', o.backoffMaxMs, Math.max(d.backoffMaxMs, backoffInitialMs), backoffInitialMs, 3_600_000),
    maxPagesPerPoll: wholeNumber(name, 'maxPagesPerPoll', o.maxPagesPerPoll, d.maxPagesPerPoll, 1, 1_000_000),
    maxRemembered: wholeNumber(name, 'maxRemembered', o.maxRemembered, d.maxRemembered, 1, 10_000_000),
  };
  for (const [setting, topic] of [['topic', settings.topic], ['heartbeatTopic', settings.heartbeatTopic]] as const) {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) throw invalid(name, setting, 'a Kafka topic name (letters, digits, ".", "_", "-")', topic);
  }
  return Object.freeze(settings);
}
