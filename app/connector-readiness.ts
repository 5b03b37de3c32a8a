// Readiness for /readyz: every connector's check() in parallel, each with a short time budget, and the answer reused
// for a few seconds so a busy probe cannot hammer the legacy systems. Not ready while the process shuts down.
import { commonErrors, isUnicsError, type Clock, type Lifecycle } from '../common/index.ts';
import type { Connector } from '../connectors/connector.ts';
import type { ReadinessCheck, ReadinessReport } from '../gateway/health-routes.ts';

export interface ConnectorReadinessOptions {
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly lifecycle: Pick<Lifecycle, 'state'>;
  readonly clock: Clock;
  /** Budget of one check, in ms. */
  readonly timeoutMs: number;
  /** How long an answer is reused, in ms. */
  readonly cacheTtlMs: number;
}

export function createConnectorReadiness(options: ConnectorReadinessOptions): () => Promise<ReadinessReport> {
  const { connectors, lifecycle, clock, timeoutMs, cacheTtlMs } = options;
  let cached: { at: number; report: ReadinessReport } | undefined;
  let running: Promise<ReadinessReport> | undefined;

  const checkOne = async (connector: Connector): Promise<ReadinessCheck> => {
    const t0 = clock.monotonicMs();
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(commonErrors.errors.COMMON_ERR_TIMEOUT(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const overrun = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }));
    try {
      await Promise.race([connector.check(controller.signal), overrun]);
      return { ok: true, durationMs: Math.round(clock.monotonicMs() - t0) };
    } catch (err) {
      const durationMs = Math.round(clock.monotonicMs() - t0);
      if (isUnicsError(err)) return { ok: false, durationMs, code: err.code, message: err.message };
      return { ok: false, durationMs, code: 'COMMON_ERR_UNEXPECTED', message: 'the check failed unexpectedly' };
    } finally {
      clock.clearTimeout(timer);
    }
  };

  const run = async (): Promise<ReadinessReport> => {
    const entries = await Promise.all([...connectors.values()].map(async (c) => [c.name, await checkOne(c)] as const));
    return { ready: entries.every(([, c]) => c.ok), checks: Object.fromEntries(entries) };
  };

  return async () => {
    if (lifecycle.state !== 'open') return { ready: false, checks: { process: { ok: false, code: 'COMMON_ERR_CLOSED', message: 'shutting down' } } };
    if (cached && clock.now() - cached.at < cacheTtlMs) return cached.report;
    running ??= run().then((report) => {
      cached = { at: clock.now(), report };
      running = undefined;
      return report;
    });
    return running;
  };
}
