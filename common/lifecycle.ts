// Every resource has an owner that closes it, in reverse start order (STYLE.md 12). The app registers each resource
// right after starting it; close() then stops them newest first (servers before consumers before stores), each with
// its own time budget, and keeps going past failures so one stuck resource cannot leak the rest.
import { commonErrors } from './error-catalogue.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { Logger } from './logger.ts';
import { createStateMachine } from './state-machine.ts';

export type LifecycleState = 'open' | 'closing' | 'closed';

/** Closes one resource. The signal aborts when the resource's time budget runs out: stop waiting and give up. */
export type CloseFn = (signal: AbortSignal) => Promise<void> | void;

export interface LifecycleOptions {
  /** Receives one line per closed resource and one per failure. */
  readonly log?: Pick<Logger, 'info' | 'error'>;
  readonly clock?: Clock;
  /** Default time budget for closing one resource, in ms. Default 10 000. */
  readonly timeoutMs?: number;
}

export interface AddOptions {
  /** Time budget for closing this resource, in ms. Default: the lifecycle's timeoutMs. */
  readonly timeoutMs?: number;
}

export interface CloseFailure {
  readonly name: string;
  /** What close threw or rejected with, or COMMON_ERR_TIMEOUT when it overran its budget. */
  readonly error: unknown;
}

export interface CloseReport {
  /** True when every resource closed within its budget. */
  readonly ok: boolean;
  /** Names of the resources that closed cleanly, in the order they were closed. */
  readonly closed: readonly string[];
  readonly failures: readonly CloseFailure[];
}

export interface Lifecycle {
  readonly state: LifecycleState;
  /** Aborts when close() starts: background loops watch it to stop taking new work. */
  readonly signal: AbortSignal;
  /**
   * Registers a resource to close. Returns a function that unregisters it (for resources that end on their own,
   * such as one client connection); it is a no-op once the resource's close has started.
   * Throws COMMON_ERR_CLOSED once close() has been called.
   */
  add(name: string, close: CloseFn, options?: AddOptions): () => void;
  /** Closes everything newest first. Never rejects; failures are in the report. Later calls return the same promise. */
  close(): Promise<CloseReport>;
}

interface Resource {
  readonly name: string;
  readonly close: CloseFn;
  readonly timeoutMs: number;
}

export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

function checkTimeout(where: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) {
    throw new TypeError(`${where}: timeoutMs must be a positive number of milliseconds, but got ${String(ms)}`);
  }
  return ms;
}

export function createLifecycle(options: LifecycleOptions = {}): Lifecycle {
  const clock = options.clock ?? systemClock;
  const log = options.log;
  const defaultTimeoutMs = checkTimeout('lifecycle', options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
  const machine = createStateMachine<LifecycleState>({
    name: 'lifecycle',
    initial: 'open',
    transitions: { open: ['closing'], closing: ['closed'], closed: [] },
  });
  const started = new AbortController();
  const resources: Resource[] = [];
  let closing: Promise<CloseReport> | undefined;

  const closeOne = async (resource: Resource): Promise<void> => {
    const controller = new AbortController();
    let timer: TimerHandle | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => {
        const error = commonErrors.errors.COMMON_ERR_TIMEOUT(
          `lifecycle: "${resource.name}" did not close within ${resource.timeoutMs} ms; moved on to the next resource`,
          { details: { resource: resource.name, timeoutMs: resource.timeoutMs } },
        );
        controller.abort(error);
        reject(error);
      }, resource.timeoutMs);
    });
    // Wrapping the call turns a synchronous throw into a rejection like any other failure.
    const closed = new Promise<void>((resolve) => resolve(resource.close(controller.signal)));
    try {
      // race subscribes to `closed`, so a close that fails after its budget ran out is not an unhandled rejection.
      await Promise.race([closed, overrun]);
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
    }
  };

  const closeAll = async (): Promise<CloseReport> => {
    machine.transition('closing');
    started.abort();
    const closed: string[] = [];
    const failures: CloseFailure[] = [];
    for (let resource = resources.pop(); resource !== undefined; resource = resources.pop()) {
      const t0 = clock.monotonicMs();
      const failure = await closeOne(resource).then(
        () => undefined,
        (error: unknown) => ({ name: resource.name, error }),
      );
      const durationMs = Math.round(clock.monotonicMs() - t0);
      if (failure === undefined) {
        closed.push(resource.name);
        log?.info({ resource: resource.name, durationMs }, 'resource closed');
      } else {
        failures.push(failure);
        log?.error({ err: failure.error, resource: resource.name, durationMs }, 'resource failed to close');
      }
    }
    machine.transition('closed');
    return Object.freeze({ ok: failures.length === 0, closed: Object.freeze(closed), failures: Object.freeze(failures) });
  };

  return {
    get state() {
      return machine.state;
    },
    signal: started.signal,
    add(name, close, addOptions = {}) {
      if (machine.state !== 'open') {
        throw commonErrors.errors.COMMON_ERR_CLOSED(
          `lifecycle: cannot add "${name}" because shutdown has already started (state "${machine.state}"). ` +
            `Close "${name}" directly, or register it before close() is called.`,
          { details: { resource: name, state: machine.state } },
        );
      }
      if (typeof close !== 'function') {
        throw new TypeError(`lifecycle: close for "${name}" must be a function, but got ${typeof close}`);
      }
      const timeoutMs = checkTimeout(`lifecycle: "${name}"`, addOptions.timeoutMs ?? defaultTimeoutMs);
      const resource: Resource = { name, close, timeoutMs };
      resources.push(resource);
      return () => {
        const index = resources.indexOf(resource);
        if (index !== -1) resources.splice(index, 1);
      };
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
