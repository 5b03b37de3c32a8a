// Tracing off (no endpoint, no exporter): nothing is recorded, no context manager is installed, no ids are made.
// In a file of its own so no other test has installed a context manager in this worker before.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it, vi } from 'vitest';
import { traceConnectorCalls } from '../../connectors/connector-tracing.ts';
import { createConnectorEmitter } from '../../connectors/index.ts';
import { createApolloTracingPlugin } from './apollo-tracing-plugin.ts';
import { createTracing } from './create-tracing.ts';
import { tracingOff } from './tracing-off.ts';
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

describe('app/main without an OTLP endpoint', () => {
  it('never imports the OpenTelemetry SDK: tracing-off.ts and what main imports statically load no SDK module', () => {
    const sdk = /from '@opentelemetry\/(?!api')[^']+'/;
    const read = (file: string) => readFileSync(join(import.meta.dirname, file), 'utf8');
    expect(read('tracing-off.ts')).not.toMatch(sdk);
    const main = read('../../app/main.ts');
    // create-tracing.ts (the SDK) only as a type or through the dynamic import taken when an endpoint is set.
    expect(main).not.toMatch(/^import \{[^}]*\} from '\.\.\/gateway\/tracing\/(index|create-tracing)\.ts'/m);
    expect(main).toContain("await import('../gateway/tracing/create-tracing.ts')");
    expect(read('../../app/build-app.ts')).not.toMatch(/^import \{[^}]*\} from '\.\.\/gateway\/tracing\/(index|create-tracing)\.ts'/m);
    const off = tracingOff();
    expect(off.enabled).toBe(false);
    expect(off.tracer.startSpan('x').isRecording()).toBe(false);
  });
});
