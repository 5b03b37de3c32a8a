// The public surface of cdc/poll-capture/: poll-based change capture for systems without a database log.
export { createPollCapture, type PollCapture, type PollCaptureEvents, type PollCaptureOptions, type PollResult } from './create-poll-capture.ts';
export { POLL_CAPTURE_DEFAULTS } from './poll-capture-settings.ts';
export type { ChangePage, ChangeRecord, ChangeSource } from './change-source.ts';
export { createCrmChangeSource, type CrmChangeSourceOptions } from './crm-change-source.ts';
export { createHelpdeskChangeSource, type HelpdeskChangeSourceOptions } from './helpdesk-change-source.ts';
export { createMemoryPositionStore, createRedisPositionStore, type PositionStore, type RedisPositionStoreOptions } from './position-store.ts';
export type { CaptureProducer } from './capture-producer.ts';
export { POLL_CAPTURE_CONNECTOR, POLL_CAPTURE_VERSION } from './change-envelope.ts';
