// Poll-based change capture for systems without a database log: asks a ChangeSource for what changed since the
// stored position, pages until it has no more, produces one Debezium-format envelope per new version to Kafka, and
// only then saves the position (at-least-once: a crash re-produces, never skips). After every complete poll it
// produces a Debezium heartbeat saying up to when the source is captured. A failing source, Kafka or position store
// is retried with backoff and reported through events and logs; it never crashes the process.
import { systemClock, type Clock } from '../../common/clock.ts';
import { commonErrors } from '../../common/error-catalogue.ts';
import { isUnicsError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import { createStateMachine } from '../../common/state-machine.ts';
import { createEmitter, type Emitter } from '../../common/typed-events.ts';
import { connErr } from '../../connectors/error-catalogue.ts';
import { cdcErr } from '../error-catalogue.ts';
import { createOwnedProducer, sendAll, type CaptureProducer, type OwnedProducer } from './capture-producer.ts';
import { changeMessage, changeOp, heartbeatMessage } from './change-envelope.ts';
import type { ChangePage, ChangeSource } from './change-source.ts';
import { createLastVersions, type PlannedVersion } from './last-versions.ts';
import type { PositionStore } from './position-store.ts';
import { resolvePollCaptureSettings } from './poll-capture-settings.ts';

export interface PollCaptureOptions {
  /** The capture's name: source.name in envelopes, the heartbeat topic's suffix and key. Letters, digits, ".", "_", "-". */
  readonly name: string;
  readonly source: ChangeSource;
  /** A producer the caller owns (connected, ideally idempotent). Give this or `brokers`, not both. */
  readonly producer?: CaptureProducer;
  /** Kafka brokers: the capture builds, connects and closes its own idempotent producer. */
  readonly brokers?: readonly string[];
  /** kafkajs client id of the own producer. Default "unics-poll-<name>". */
  readonly clientId?: string;
  /** Default unics.<source.system>.<source.table>, e.g. unics.crm.contacts. */
  readonly topic?: string;
  /** Default __debezium-heartbeat.<name>. */
  readonly heartbeatTopic?: string;
  readonly positionStore: PositionStore;
  /** From the start of one poll to the start of the next (ms). Default 250 (the freshness budget is 300). */
  readonly intervalMs?: number;
  /** Most records asked of the source at once (1–1000; sources cap it at their own maximum). Default 500. */
  readonly pageSize?: number;
  /** Gives up on one source request after this long (ms); it then counts as a failure. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Wait after the first failure (ms), doubled after each further one up to backoffMaxMs. Default 250. */
  readonly backoffInitialMs?: number;
  /** Default 5 000. */
  readonly backoffMaxMs?: number;
  /** Records whose last produced version is remembered (for `before` and skipping re-reads). Default 10 000. */
  readonly maxRemembered?: number;
  /** Pages one poll may take after the initial load before it yields (no heartbeat then). Default 1 000. */
  readonly maxPagesPerPoll?: number;
  readonly log: Logger;
  readonly clock?: Clock;
}

export interface PollResult {
  /** Envelopes produced (versions already produced are skipped). */
  readonly produced: number;
  readonly pages: number;
  /** True for the initial load (op "r"). */
  readonly snapshot: boolean;
  /** False when the poll stopped at maxPagesPerPoll with more to read. */
  readonly complete: boolean;
  /** The heartbeat's ts_ms, or null when none was produced (an incomplete poll). */
  readonly capturedToMs: number | null;
}

export interface PollCaptureEvents {
  'capture.polled': PollResult & { durationMs: number };
  /** `attempt` counts consecutive failures (1 for the first). */
  'capture.failed': { error: unknown; attempt: number };
}

export interface PollCapture {
  readonly name: string;
  readonly events: Emitter<PollCaptureEvents>;
  /** Starts polling every intervalMs in the background; failures are retried, never thrown. */
  start(): Promise<void>;
  /** Stops polling (an in-flight source request is cancelled, an in-flight send finishes), closes its own producer. */
  stop(): Promise<void>;
  /** Runs one poll now (after any poll in progress). Rejects with the poll's error, after reporting it. */
  pollOnce(): Promise<PollResult>;
}

export function createPollCapture(options: PollCaptureOptions): PollCapture {
  const settings = resolvePollCaptureSettings(options);
  const { name, source, topic, heartbeatTopic, log } = settings;
  const clock = options.clock ?? systemClock;
  const store = options.positionStore;
  const versions = createLastVersions(settings.maxRemembered);
  const events = createEmitter<PollCaptureEvents>();
  const machine = createStateMachine({
    name: `poll capture "${name}"`,
    initial: 'idle',
    transitions: { idle: ['running', 'stopping'], running: ['stopping'], stopping: ['stopped'], stopped: [] },
  });
  const stopController = new AbortController();
  let owned: OwnedProducer | undefined;
  let connecting: Promise<void> | undefined;
  /** The saved position once loaded (null: none yet, the next poll is the initial load); undefined before loading. */
  let position: string | null | undefined;
  let failures = 0;
  let chain: Promise<unknown> = Promise.resolve();
  let loopDone: Promise<void> = Promise.resolve();
  let stopped: Promise<void> | undefined;

  const unavailable = (what: string, err: unknown) =>
    cdcErr.CDC_ERR_CAPTURE_UNAVAILABLE(`poll capture "${name}": ${what} (${(err as Error)?.message ?? String(err)})`, { cause: err, details: { capture: name } });

  async function producer(): Promise<CaptureProducer> {
    if (options.producer) return options.producer;
    owned ??= createOwnedProducer(settings.brokers, settings.clientId, log);
    const own = owned;
    connecting ??= own.connect().catch((err: unknown) => {
      connecting = undefined;
      throw unavailable('could not connect to Kafka', err);
    });
    await connecting;
    return own;
  }

  async function loadPosition(): Promise<string | null> {
    try {
      return await store.load();
    } catch (err) {
      throw unavailable('could not read its position', err);
    }
  }

  async function savePosition(next: string): Promise<void> {
    try {
      await store.save(next);
    } catch (err) {
      throw unavailable('could not save its position; it stays where it was', err);
    }
    position = next;
  }

  async function fetchPage(at: string | null): Promise<ChangePage> {
    const controller = new AbortController();
    const onStop = () => controller.abort(stopController.signal.reason);
    if (stopController.signal.aborted) onStop();
    else stopController.signal.addEventListener('abort', onStop, { once: true });
    const timer = clock.setTimeout(() => {
      controller.abort(connErr.CONN_ERR_TIMEOUT(`change source "${source.system}" for poll capture "${name}": no answer within ${settings.requestTimeoutMs} ms`));
    }, settings.requestTimeoutMs);
    try {
      return await source.fetchChanges(at, controller.signal, settings.pageSize);
    } finally {
      clock.clearTimeout(timer);
      stopController.signal.removeEventListener('abort', onStop);
    }
  }

  async function poll(): Promise<PollResult> {
    const startedAtMs = clock.now();
    const kafka = await producer();
    if (position === undefined) position = await loadPosition();
    const snapshot = position === null;
    let at = position;
    let produced = 0;
    let pages = 0;
    let complete = true;
    // In the initial load the last record of a page waits for the next page, so the load's last record can carry
    // snapshot "last" even when the final page comes back empty.
    let held: PlannedVersion | undefined;
    for (;;) {
      const page = await fetchPage(at);
      pages++;
      const pending = new Map<string, PlannedVersion>();
      const batch: PlannedVersion[] = [];
      if (held) {
        batch.push(held);
        pending.set(held.record.id, held);
        held = undefined;
      }
      for (const record of page.records) {
        const planned = versions.plan(record, pending);
        if (planned) batch.push(planned);
      }
      if (snapshot && page.hasMore) held = batch.pop();
      const nowMs = clock.now();
      const messages = batch.map((v, i) =>
        changeMessage({
          capture: name,
          system: source.system,
          table: source.table,
          id: v.record.id,
          op: snapshot ? 'r' : changeOp(v.before !== null, v.record.createdAtMs, page.windowStartMs),
          snapshot: !snapshot ? 'false' : !page.hasMore && i === batch.length - 1 ? 'last' : 'true',
          before: snapshot ? null : v.before,
          afterJson: v.json,
          sourceTsMs: v.record.updatedAtMs,
          lsn: v.lsn,
          nowMs,
        }),
      );
      await sendAll(kafka, topic, messages, name);
      versions.remember(batch);
      produced += batch.length;
      at = page.next;
      // During the initial load the position is saved only at its end: an interrupted load starts over (as
      // Debezium's snapshot does), so its "r" events and its "last" marker stay whole. A quiet poll writes nothing.
      if (!snapshot && at !== position) await savePosition(at);
      if (!page.hasMore) break;
      if (!snapshot && pages >= settings.maxPagesPerPoll) {
        complete = false;
        break;
      }
    }
    if (snapshot) await savePosition(at);
    let capturedToMs: number | null = null;
    if (complete) {
      // Everything visible at the source when this poll started is on Kafka now, less the re-read overlap.
      capturedToMs = startedAtMs - (source.overlapMs ?? 0);
      await sendAll(kafka, heartbeatTopic, [heartbeatMessage(name, capturedToMs)], name);
    }
    if (snapshot) log.info({ capture: name, produced, pages }, 'poll capture: initial load done');
    return { produced, pages, snapshot, complete, capturedToMs };
  }

  async function reportedPoll(): Promise<PollResult> {
    const t0 = clock.monotonicMs();
    try {
      const result = await poll();
      if (failures > 0) log.info({ capture: name, failures }, 'poll capture recovered');
      failures = 0;
      events.emit('capture.polled', { ...result, durationMs: clock.monotonicMs() - t0 });
      return result;
    } catch (error) {
      if (stopController.signal.aborted) throw error;
      failures++;
      events.emit('capture.failed', { error, attempt: failures });
      log.warn(
        { capture: name, attempt: failures, code: isUnicsError(error) ? error.code : undefined, error: error instanceof Error ? error.message : String(error) },
        'poll capture failed; the position did not move, retrying with backoff',
      );
      throw error;
    }
  }

  function pollOnce(): Promise<PollResult> {
    if (machine.state === 'stopping' || machine.state === 'stopped') {
      return Promise.reject(commonErrors.errors.COMMON_ERR_CLOSED(`poll capture "${name}" is ${machine.state}; create a new one to poll again`));
    }
    const run = chain.then(reportedPoll);
    chain = run.catch(() => undefined);
    return run;
  }

  async function loop(): Promise<void> {
    while (machine.state === 'running') {
      const t0 = clock.monotonicMs();
      let delayMs: number;
      try {
        await pollOnce();
        delayMs = Math.max(0, settings.intervalMs - (clock.monotonicMs() - t0));
      } catch {
        delayMs = Math.min(settings.backoffMaxMs, settings.backoffInitialMs * 2 ** Math.min(failures - 1, 30));
      }
      if (machine.state !== 'running') break;
      try {
        await clock.sleep(delayMs, stopController.signal);
      } catch {
        break; // stopped while waiting
      }
    }
  }

  return {
    name,
    events,
    async start() {
      machine.transition('running');
      loopDone = loop();
    },
    stop() {
      stopped ??= (async () => {
        machine.transition('stopping');
        stopController.abort(commonErrors.errors.COMMON_ERR_CLOSED(`poll capture "${name}" is stopping`));
        await loopDone;
        await chain;
        if (owned && connecting) await owned.disconnect().catch((err: unknown) => log.warn({ capture: name, error: (err as Error).message }, 'poll capture: producer disconnect failed'));
        machine.transition('stopped');
      })();
      return stopped;
    },
    pollOnce,
  };
}
