// createTracing: spans reach an injected exporter and nest across awaits; with an OTLP endpoint they reach a real
// (loopback) collector over HTTP in the OTLP/JSON encoding; export failures are logged once; bad options are
// rejected with messages that say how to fix them.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/index.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { createTracing } from './create-tracing.ts';

describe('createTracing with an injected exporter', () => {
  it('exports each span as it ends, with the service name, and nests spans across awaits', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ exporter, serviceName: 'unics-a', serviceVersion: '1.2.3' });
    expect(tracing.enabled).toBe(true);
    const { tracer } = tracing;
    await tracer.startActiveSpan('outer', async (outer) => {
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.resolve().then(() => tracer.startSpan('inner').end()); // parent found through the context manager
      outer.end();
    });
    const [inner, outer] = exporter.getFinishedSpans();
    expect([inner?.name, outer?.name]).toEqual(['inner', 'outer']);
    expect(inner?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(outer?.resource.attributes).toMatchObject({ 'service.name': 'unics-a', 'service.version': '1.2.3' });
    expect(outer?.instrumentationScope.name).toBe('unics');
    await tracing.shutdown();
    await tracing.shutdown(); // idempotent
  });

  it('records no trace when sampleRatio is 0, but a child still follows a sampled parent', () => {
    const exporter = new InMemorySpanExporter();
    const { tracer } = createTracing({ exporter, sampleRatio: 0 });
    tracer.startSpan('dropped').end();
    expect(exporter.getFinishedSpans()).toEqual([]);
    const remoteParent = trace.setSpanContext(context.active(), { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1, isRemote: true });
    tracer.startSpan('kept', {}, remoteParent).end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['kept']);
  });

  it('rejects bad options with a message that names the setting and shows a good value', () => {
    expect(() => createTracing({ sampleRatio: 2 })).toThrow(/sampleRatio must be a number from 0 to 1 .* but got 2/);
    expect(() => createTracing({ sampleRatio: Number.NaN })).toThrow(/sampleRatio/);
    expect(() => createTracing({ otlpEndpoint: 'collector:4318' })).toThrow(
      'tracing otlpEndpoint must be an http(s) URL like http://collector:4318/v1/traces, but got "collector:4318".',
    );
    expect(() => createTracing({ serviceName: ' ' })).toThrow(/serviceName must not be empty/);
    expect(() => createTracing({ sampleRatio: -1 })).toThrow(expect.objectContaining({ code: 'COMMON_ERR_CONFIG_INVALID' }));
  });
});

describe('createTracing with an OTLP endpoint (loopback collector)', () => {
  interface Received {
    readonly path: string | undefined;
    readonly contentType: string | undefined;
    readonly apiKey: string | undefined;
    readonly body: string;
  }
  const received: Received[] = [];
  let answerWith = 200;
  let server: Server;
  let base: string;

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        received.push({ path: req.url, contentType: req.headers['content-type'], apiKey: req.headers['x-api-key'] as string | undefined, body });
        res.writeHead(req.method === 'POST' && req.url === '/v1/traces' ? answerWith : 404, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends the spans as an OTLP/JSON POST to /v1/traces, with the service name, span names and headers', async () => {
    received.length = 0;
    const tracing = createTracing({ otlpEndpoint: `${base}/v1/traces`, otlpHeaders: { 'x-api-key': 'k-123' }, serviceName: 'unics-otlp' });
    const span = tracing.tracer.startSpan('query Customer', { attributes: { 'graphql.operation.type': 'query' } });
    span.end();
    await tracing.shutdown(); // flushes the batch
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post?.path).toBe('/v1/traces');
    expect(post?.contentType).toBe('application/json');
    expect(post?.apiKey).toBe('k-123');
    const payload = JSON.parse(post!.body) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { scope: { name: string }; spans: { name: string; traceId: string }[] }[] }[];
    };
    const [resourceSpans] = payload.resourceSpans;
    expect(resourceSpans?.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'unics-otlp' } });
    expect(resourceSpans?.scopeSpans[0]?.scope.name).toBe('unics');
    expect(resourceSpans?.scopeSpans[0]?.spans.map((s) => s.name)).toEqual(['query Customer']);
    expect(resourceSpans?.scopeSpans[0]?.spans[0]?.traceId).toBe(span.spanContext().traceId);
  });

  it('logs once when the collector starts refusing spans, and once when it takes them again', async () => {
    const lines: { level: number; msg: string; target?: string }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as never);
        done();
      },
    });
    const log = createLogger({ level: 'info', destination });
    const tracing = createTracing({ otlpEndpoint: `${base}/v1/traces`, otlpHeaders: { 'x-api-key': 'secret-key' }, log, batchDelayMs: 10 });
    answerWith = 400; // not retryable: the exporter gives up at once
    try {
      for (let i = 0; i < 3; i++) {
        tracing.tracer.startSpan(`refused ${i}`).end();
        await expect(tracing.forceFlush()).rejects.toBeDefined(); // a flush tells its caller the export failed
      }
      await waitFor(() => (lines.length > 0 ? true : undefined), { timeoutMs: 5_000, what: 'the export failure to be logged' });
      expect(lines.map((l) => l.msg)).toEqual(['trace export failed; spans are dropped until the collector answers']);
      expect(lines[0]?.target).toBe(base); // the origin only
      answerWith = 200;
      tracing.tracer.startSpan('accepted').end();
      await tracing.forceFlush();
      await waitFor(() => (lines.length > 1 ? true : undefined), { timeoutMs: 5_000, what: 'the recovery to be logged' });
      expect(lines.map((l) => l.msg)).toEqual(['trace export failed; spans are dropped until the collector answers', 'trace export works again']);
      expect(JSON.stringify(lines)).not.toContain('secret-key');
    } finally {
      answerWith = 200;
      await tracing.shutdown();
    }
  });
});
