// Tracing switched off, without loading the OpenTelemetry SDK: the API's no-op tracer (spans are non-recording and
// free). create-tracing.ts answers this when it has nowhere to send spans, and app/main.ts uses it directly when no
// OTLP endpoint is configured, so a process without tracing never imports the SDK, its exporter and their
// dependencies (about 5 MB of live heap, which V8's heap sizing multiplies in the process's RSS; docs/adr/0009).
import { ProxyTracerProvider } from '@opentelemetry/api';
import type { Tracing } from './create-tracing.ts';

/** The name spans are recorded under (the instrumentation scope). */
export const TRACER_NAME = 'unics';

export function tracingOff(): Tracing {
  // A provider without a delegate hands out the API's no-op tracer.
  const provider = new ProxyTracerProvider();
  return {
    enabled: false,
    tracer: provider.getTracer(TRACER_NAME),
    provider,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
