// The public surface of cdc/: the Debezium event decoder, the Kafka consumer group that applies change events, and
// the poll capture for systems without a database log.
export { comparePositions, decodeChangeEvent, TOAST_PLACEHOLDER, unwrapPayload, type ChangeEvent, type ChangeOp, type ChangePosition, type DecodedEvent, type HeartbeatEvent, type LogicalMessageEvent, type RawMessage, type TombstoneEvent } from './decode-change-event.ts';
export { createCdcConsumer, type AppliedBatch, type ApplyResult, type CdcConsumer, type CdcConsumerEvents, type CdcConsumerOptions } from './create-cdc-consumer.ts';
export { cdcErr, cdcErrors } from './error-catalogue.ts';
export { ensureTopics } from './ensure-topics.ts';
export * from './poll-capture/index.ts';
