// OpenTelemetry tracing for the process: one TracerProvider, built from typed options (STYLE.md 6, 7) and handed to
// whoever makes spans (the Apollo plugin, the connector listener) as a Tracer. Nothing here reads process.env:
// app/ calls tracingOptionsFromEnv(process.env) and passes the result in.
//
// Three set-ups:
//  - otlpEndpoint: spans go in batches to an OTLP/HTTP collector (Jaeger, Tempo, the OpenTelemetry Collector);
//  - exporter: spans go one by one to the given exporter (tests pass an InMemorySpanExporter);
//  - neither: tracing is off. The tracer is the API's no-op tracer, no context manager is installed, and callers
//    should not subscribe listeners at all (check `enabled`), so tracing costs nothing.
import { context, type Tracer, type TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { commonErrors } from '../../common/error-catalogue.ts';
import type { Logger } from '../../common/logger.ts';
import { TRACER_NAME, tracingOff } from './tracing-off.ts';

export { TRACER_NAME };

export interface TracingOptions {
  /** `service.name` of every span. Default "unics". */
  readonly serviceName?: string;
  /** `service.version`, when known. */
  readonly serviceVersion?: string;
  /** Full OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. Spans are exported in batches. */
  readonly otlpEndpoint?: string;
  /** Extra headers for the OTLP requests (e.g. an API key of a hosted backend). Never logged. */
  readonly otlpHeaders?: Readonly<Record<string, string>>;
  /** An exporter of your own; spans are handed to it one by one as they end (tests: InMemorySpanExporter). */
  readonly exporter?: SpanExporter;
  /** Share of new traces that are recorded, 0 … 1; a child follows its parent's decision. Default 1. */
  readonly sampleRatio?: number;
  /** Receives a warning when exporting starts failing and a note when it works again (never each failure). */
  readonly log?: Logger;
  /** How long the batch processor waits before sending, in ms. Default 1000. */
  readonly batchDelayMs?: number;
}

export interface Tracing {
  /** False when neither otlpEndpoint nor exporter was given: do not install the plugin or the listener. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  readonly provider: ApiTracerProvider;
  /** Sends what is buffered now (e.g. before a test reads the collector). */
  forceFlush(): Promise<void>;
  /** Flushes and stops exporting; call once on shutdown, after the HTTP server stopped. Idempotent. */
  shutdown(): Promise<void>;
}

function configError(message: string): Error {
  return commonErrors.errors.COMMON_ERR_CONFIG_INVALID(message);
}

function checkOptions(options: TracingOptions): void {
  const ratio = options.sampleRatio;
  if (ratio !== undefined && !(typeof ratio === 'number' && ratio >= 0 && ratio <= 1)) {
    throw configError(`tracing sampleRatio must be a number from 0 to 1 (1 records every trace), but got ${JSON.stringify(ratio) ?? String(ratio)}.`);
  }
  if (options.otlpEndpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(options.otlpEndpoint);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw configError(
        `tracing otlpEndpoint must be an http(s) URL like http://collector:4318/v1/traces, but got ${JSON.stringify(options.otlpEndpoint)}.`,
      );
    }
  }
  if (options.serviceName !== undefined && options.serviceName.trim() === '') {
    throw configError('tracing serviceName must not be empty; leave it out for "unics".');
  }
}

/**
 * The OpenTelemetry context API needs one global context manager for spans to nest across awaits. It is
 * process-wide by design of the API, so the first enabled Tracing installs it and later ones reuse it; shutdown
 * leaves it in place for other providers in the same process (tests build several apps).
 */
function ensureContextManager(): void {
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
}

/** Logs when exporting starts failing and when it recovers, so a dead collector is visible but not noisy. */
function withExportHealthLog(exporter: SpanExporter, log: Logger, target: string): SpanExporter {
  let failing = false;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && !failing) {
          failing = true;
          log.warn({ err: result.error, target }, 'trace export failed; spans are dropped until the collector answers');
        } else if (result.code === ExportResultCode.SUCCESS && failing) {
          failing = false;
          log.info({ target }, 'trace export works again');
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}

export function createTracing(options: TracingOptions = {}): Tracing {
  checkOptions(options);
  const processors: SpanProcessor[] = [];
  if (options.otlpEndpoint !== undefined) {
    const otlp = new OTLPTraceExporter({ url: options.otlpEndpoint, headers: { ...options.otlpHeaders } });
    const target = new URL(options.otlpEndpoint).origin; // no path, query or credentials in logs
    const exporter = options.log ? withExportHealthLog(otlp, options.log, target) : otlp;
    processors.push(new BatchSpanProcessor({ exporter, scheduledDelayMillis: options.batchDelayMs ?? 1000 }));
  }
  if (options.exporter !== undefined) processors.push(new SimpleSpanProcessor({ exporter: options.exporter }));

  if (processors.length === 0) return tracingOff();

  ensureContextManager();
  const ratio = options.sampleRatio ?? 1;
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName ?? 'unics',
        ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      }),
    ),
    sampler: new ParentBasedSampler({ root: ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio) }),
    spanProcessors: processors,
  });
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    tracer: provider.getTracer(TRACER_NAME),
    provider,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => (stopped ??= provider.shutdown()),
  };
}
