// The standard OpenTelemetry environment variables, turned into TracingOptions. Pure: app/ passes process.env (the
// only place that reads it, STYLE.md 6). Bad values are errors naming the variable, not silent defaults.
//
//   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  full traces URL, used as is (http://collector:4318/v1/traces)
//   OTEL_EXPORTER_OTLP_ENDPOINT         base URL; "/v1/traces" is appended (http://collector:4318)
//   OTEL_EXPORTER_OTLP_TRACES_HEADERS   k=v,k2=v2 (values URL-encoded); wins over OTEL_EXPORTER_OTLP_HEADERS per key
//   OTEL_SERVICE_NAME                   service.name (default "unics")
//   OTEL_TRACES_SAMPLER                 always_on | always_off | traceidratio | parentbased_always_on |
//                                       parentbased_always_off | parentbased_traceidratio (children follow parents anyway)
//   OTEL_TRACES_SAMPLER_ARG             the ratio for *traceidratio, 0 … 1
//   OTEL_TRACES_EXPORTER                otlp (default) or none
//   OTEL_SDK_DISABLED                   true turns tracing off
import { commonErrors } from '../../common/error-catalogue.ts';
import type { TracingOptions } from './create-tracing.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

function invalid(message: string): Error {
  return commonErrors.errors.COMMON_ERR_CONFIG_INVALID(message);
}

/** The value of name, trimmed; undefined when unset or blank (the OTel spec treats empty as unset). */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseHeaders(env: Env, name: string): Record<string, string> {
  const raw = read(env, name);
  const headers: Record<string, string> = {};
  if (raw === undefined) return headers;
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (key === '') {
      // The value may be a secret: name the variable and the position, never echo the text.
      throw invalid(`${name} must be a list like "api-key=abc,x-tenant=demo", but an entry has no "name=" part.`);
    }
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      throw invalid(`${name}: the value of header "${key}" is not valid URL encoding; write %2C for a comma and %3D for "=".`);
    }
    headers[key] = value;
  }
  return headers;
}

function parseRatio(env: Env): number {
  const raw = read(env, 'OTEL_TRACES_SAMPLER_ARG');
  if (raw === undefined) return 1;
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw invalid(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 like 0.25, but got ${JSON.stringify(raw)}.`);
  }
  return ratio;
}

function sampleRatio(env: Env): number | undefined {
  const sampler = read(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase();
  if (sampler === undefined) return undefined;
  if (!SAMPLERS.includes(sampler)) {
    throw invalid(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, but got ${JSON.stringify(sampler)}.`);
  }
  if (sampler.endsWith('always_on')) return 1;
  if (sampler.endsWith('always_off')) return 0;
  return parseRatio(env);
}

function checkUrl(name: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(`${name} must be an http(s) URL like http://collector:4318${name.includes('TRACES') ? '/v1/traces' : ''}, but got ${JSON.stringify(value)}.`);
  }
  return value;
}

function endpoint(env: Env): string | undefined {
  const traces = read(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces !== undefined) return checkUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces);
  const base = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base === undefined) return undefined;
  checkUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base);
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** TracingOptions from the standard OTel variables; `{}` (tracing off) when no endpoint is set. */
export function tracingOptionsFromEnv(env: Env): TracingOptions {
  const disabled = read(env, 'OTEL_SDK_DISABLED')?.toLowerCase();
  if (disabled !== undefined && disabled !== 'true' && disabled !== 'false') {
    throw invalid(`OTEL_SDK_DISABLED must be true or false, but got ${JSON.stringify(disabled)}.`);
  }
  const exporter = read(env, 'OTEL_TRACES_EXPORTER')?.toLowerCase();
  if (exporter !== undefined && exporter !== 'otlp' && exporter !== 'none') {
    throw invalid(`OTEL_TRACES_EXPORTER must be "otlp" or "none" (UniCS exports traces over OTLP/HTTP only), but got ${JSON.stringify(exporter)}.`);
  }
  const serviceName = read(env, 'OTEL_SERVICE_NAME');
  const ratio = sampleRatio(env);
  const url = endpoint(env);
  if (disabled === 'true' || exporter === 'none' || url === undefined) return {};
  const headers = { ...parseHeaders(env, 'OTEL_EXPORTER_OTLP_HEADERS'), ...parseHeaders(env, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS') };
  return {
    otlpEndpoint: url,
    ...(Object.keys(headers).length > 0 ? { otlpHeaders: headers } : {}),
    ...(serviceName !== undefined ? { serviceName } : {}),
    ...(ratio !== undefined ? { sampleRatio: ratio } : {}),
  };
}
