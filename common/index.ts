// The public surface of common/, the kernel every module may use. Import from here, not from the files inside.
export {
  defineErrors,
  isRetriable,
  isUnicsError,
  listErrorCatalogues,
  toPublicError,
  UnicsError,
  type ErrorCatalogue,
  type ErrorFactory,
  type ErrorOptions,
  type ErrorSpec,
  type PublicError,
} from './errors.ts';
export { commonErrors } from './error-catalogue.ts';
export { createFakeClock, systemClock, type Clock, type FakeClock, type TimerHandle } from './clock.ts';
export {
  createEmitter,
  type EmitArgs,
  type Emitter,
  type EmitterOptions,
  type EventMap,
  type EventName,
  type Listener,
  type Unsubscribe,
} from './typed-events.ts';
export {
  createLifecycle,
  DEFAULT_CLOSE_TIMEOUT_MS,
  type AddOptions,
  type CloseFailure,
  type CloseFn,
  type CloseReport,
  type Lifecycle,
  type LifecycleOptions,
  type LifecycleState,
} from './lifecycle.ts';
export { createLogger, LOG_LEVELS, type Logger, type LoggerOptions, type LogLevel } from './logger.ts';
export { createSecretMatcher, redactSecrets, redactUrlCredentials, REDACTED, type SecretMatcher } from './redact.ts';
export { createStateMachine, type StateMachine, type StateMachineOptions } from './state-machine.ts';
export {
  formatDuration,
  formatSize,
  parseDuration,
  parseSize,
  type DurationLimits,
  type SizeLimits,
} from './durations.ts';
