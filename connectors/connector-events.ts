// What the connector layer tells the rest of the process (STYLE.md 10): one event per upstream attempt, breaker
// state change, cache lookup, singleflight join and retry. Metrics (connector-metrics.ts) and logs are listeners;
// the resilience code only emits.
import { createEmitter, type Emitter, type EmitterOptions } from '../common/typed-events.ts';

export type RequestOutcome = 'success' | 'error' | 'timeout' | 'circuit_open' | 'overloaded' | 'aborted';
export type BreakerStateName = 'closed' | 'open' | 'half_open';

export interface ConnectorRequestEvent {
  readonly connector: string;
  /** `load` of an entity or `call` of a command. */
  readonly kind: 'load' | 'call';
  /** The entity (for a load) or the command (for a call). */
  readonly operation: string;
  readonly outcome: RequestOutcome;
  /** The CONN code of a failed attempt. */
  readonly code?: string;
  /** From the attempt's start (before waiting for a concurrency slot) to its end. */
  readonly durationMs: number;
  /** Keys sent upstream in this attempt (1 for a call). */
  readonly batchSize: number;
  /** 1 for the first try, 2 for the first retry, … */
  readonly attempt: number;
}

export interface ConnectorBreakerEvent {
  readonly connector: string;
  readonly state: BreakerStateName;
}

export interface ConnectorCacheEvent {
  readonly connector: string;
  readonly entity: string;
  readonly hits: number;
  readonly misses: number;
}

export interface ConnectorCacheErrorEvent {
  readonly connector: string;
  readonly entity: string;
  /** Which store operation failed; the load went on without the cache. */
  readonly operation: 'get' | 'set';
  readonly error: unknown;
}

export interface ConnectorSingleflightEvent {
  readonly connector: string;
  readonly entity: string;
  /** Keys that joined an upstream request already in flight instead of sending their own. */
  readonly shared: number;
}

export interface ConnectorRetryEvent {
  readonly connector: string;
  readonly operation: string;
  /** The attempt about to run after the delay (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  /** The code the previous attempt failed with. */
  readonly code: string;
}

export interface ConnectorEvents {
  'connector.request': ConnectorRequestEvent;
  'connector.breaker': ConnectorBreakerEvent;
  'connector.cache': ConnectorCacheEvent;
  'connector.cache_error': ConnectorCacheErrorEvent;
  'connector.singleflight': ConnectorSingleflightEvent;
  'connector.retry': ConnectorRetryEvent;
}

export type ConnectorEmitter = Emitter<ConnectorEvents>;

export function createConnectorEmitter(options?: EmitterOptions): ConnectorEmitter {
  return createEmitter<ConnectorEvents>(options);
}
