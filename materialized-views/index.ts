// The public surface of materialized-views/: the view definition, the stores, the pipeline, the read side and the
// changefeed.
export { customer360 } from './customer-360.ts';
export { indexTables, sourcesOf, type ChildSpec, type FieldSpec, type PartSpec, type RootSpec, type TableRole, type ViewDefinition } from './view-definition.ts';
export { positionKey, projectChange, projectRecord, ProjectionError, type RowOp } from './project-change.ts';
export { describeChange, type ChangeReason } from './describe-change.ts';
export { parseViewDoc, type TouchedView, type StoredView, type ViewStore, type Watermark } from './view-store.ts';
export { createRedisViewStore, type RedisViewStoreOptions } from './redis-view-store.ts';
export { createMemoryViewStore } from './memory-view-store.ts';
export { createViewPipeline, type ViewChange, type ViewChangeSink, type ViewPipeline, type ViewPipelineEvents, type ViewPipelineOptions } from './create-view-pipeline.ts';
export { createCustomerViews, shapeView } from './customer-views.ts';
export {
  changeChannel,
  createCallbackSink,
  createKafkaViewTopicSink,
  createRedisChangePublisher,
  CUSTOMER360_TOPIC,
  ensureViewTopic,
  noticeOf,
  subscribeViewChanges,
  type ViewChangeNotice,
} from './view-changefeed.ts';
export { registerViewMetrics, LAG_BUCKETS_SECONDS } from './view-metrics.ts';
export { rebuildViews, type RebuildOptions, type RebuildProgress, type RebuildReport, type SnapshotSource } from './rebuild-views.ts';
export { changeSourceSnapshot, openPgSnapshot, parsePgLsn, type PgSnapshot } from './snapshot-sources.ts';
