// The public surface of gateway/tracing: the process's TracerProvider, its options from the standard OTel
// environment variables, and the Apollo plugin that makes one span per GraphQL operation. Connector spans come from
// connectors/ (traceConnectorCalls), a listener of the connector events.
export { createTracing, TRACER_NAME, type Tracing, type TracingOptions } from './create-tracing.ts';
export { tracingOptionsFromEnv, type Env } from './tracing-options-from-env.ts';
export { createApolloTracingPlugin, OPERATION_SPAN_ATTRIBUTES, OPERATION_SPAN_NAME } from './apollo-tracing-plugin.ts';
