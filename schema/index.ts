// The public surface of schema/: the unified graph and the seam gateway/ uses (schema-module.ts).
export type {
  ChangeFeed,
  CommandRef,
  CustomerChange,
  CustomerView,
  CustomerViews,
  Principal,
  RequestOptions,
  SchemaModule,
  SchemaModuleDeps,
  SourceMap,
  SourceRef,
  ViewSourceFreshness,
} from './schema-module.ts';
export { createSchemaModule, customerTypeDefs, unconfiguredSources, type UnicsSchemaModule } from './create-schema-module.ts';
export { defaultSourceMap } from './default-source-map.ts';
export { createMemoryChangeFeed, type MemoryChangeFeed, type MemoryChangeFeedOptions } from './memory-change-feed.ts';
export { buildExecutableSchema } from './executable-schema.ts';
export { schemaErr, schemaErrors } from './error-catalogue.ts';
export { DEFAULT_REFUND_ROLES } from './change-resolvers.ts';
export { MAX_CUSTOMER_IDS } from './customer-resolvers.ts';
export type { ExplainReport, SourceExplain, ViewStoreExplain } from './explain-recorder.ts';
export { DEFAULT_FRESHNESS_BUDGET_MS } from './freshness-budget.ts';
export type { RequestContext } from './request-context.ts';
