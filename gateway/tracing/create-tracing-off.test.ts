// Tracing off (no endpoint, no exporter): nothing is recorded, no context manager is installed, no ids are made.
// In a file of its own so no other test has installed a context manager in this worker before.
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { traceConnectorCalls } from '../../connectors/connector-tracing.ts';
import { createConnectorEmitter } from '../../connectors/index.ts';
import { createApolloTracingPlugin } from './apollo-tracing-plugin.ts';
import { createTracing } from './create-tracing.ts';
import { tracingOptionsFromEnv } from './tracing-options-from-env.ts';

describe('createTracing without an endpoint or exporter', () => {
  it('is off: a no-op tracer, no global context manager, spans without ids or attributes', async () => {
    const install = vi.spyOn(context, 'setGlobalContextManager');
    const tracing = createTracing(tracingOptionsFromEnv({ OTEL_SERVICE_NAME: 'unics' })); // no endpoint in the env
    expect(tracing.enabled).toBe(false);
    expect(install).not.toHaveBeenCalled();
    install.mockRestore();

    const span = tracing.tracer.startSpan('anything', { attributes: { a: 1 } });
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false); // no trace or span id was generated
    // Without a context manager, context.with does not even carry the span into the callback.
    expect(context.with(trace.setSpan(ROOT_CONTEXT, span), () => context.active())).toBe(ROOT_CONTEXT);

    // Even wired by mistake, the listener and the plugin stay inert with this tracer.
    const events = createConnectorEmitter();
    const stop = traceConnectorCalls(events, tracing.tracer);
    events.emit('connector.request', { connector: 'crm', kind: 'load', operation: 'contact', outcome: 'success', durationMs: 3, batchSize: 1, attempt: 1 });
    events.emit('connector.cache', { connector: 'crm', entity: 'contact', hits: 1, misses: 0 });
    stop();
    expect(createApolloTracingPlugin(tracing.tracer).requestDidStart).toBeTypeOf('function');

    await expect(tracing.forceFlush()).resolves.toBeUndefined();
    await expect(tracing.shutdown()).resolves.toBeUndefined();
  });
});
