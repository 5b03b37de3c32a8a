import { describe, expect, it } from 'vitest';
import { tracingOptionsFromEnv } from './tracing-options-from-env.ts';

describe('tracingOptionsFromEnv', () => {
  it('is off ({}) without an endpoint, whatever else is set', () => {
    expect(tracingOptionsFromEnv({})).toEqual({});
    expect(tracingOptionsFromEnv({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toEqual({});
  });

  it('uses the traces endpoint as is, and appends /v1/traces to the general one', () => {
    expect(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/custom/path' })).toEqual({ otlpEndpoint: 'http://tempo:4318/custom/path' });
    expect(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ otlpEndpoint: 'http://collector:4318/v1/traces' });
    expect(tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com/otlp/' })).toEqual({ otlpEndpoint: 'https://otlp.example.com/otlp/v1/traces' });
    // The signal-specific variable wins.
    expect(
      tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/v1/traces' }).otlpEndpoint,
    ).toBe('http://b:4318/v1/traces');
  });

  it('reads the service name, the sampler and the headers', () => {
    expect(
      tracingOptionsFromEnv({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SERVICE_NAME: 'unics-eu',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D%3D, x-scope=all',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-scope=traces',
      }),
    ).toEqual({
      otlpEndpoint: 'http://collector:4318/v1/traces',
      serviceName: 'unics-eu',
      sampleRatio: 0.25,
      otlpHeaders: { 'x-api-key': 'abc==', 'x-scope': 'traces' },
    });
    const ratio = (sampler: string, arg?: string) =>
      tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: arg }).sampleRatio;
    expect(ratio('always_off')).toBe(0);
    expect(ratio('parentbased_always_on')).toBe(1);
    expect(ratio('traceidratio')).toBe(1); // the spec's default argument
    expect(ratio('TraceIdRatio', '0')).toBe(0);
  });

  it('turns tracing off with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingOptionsFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toEqual({});
    expect(tracingOptionsFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toEqual({});
    expect(tracingOptionsFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'false', OTEL_TRACES_EXPORTER: 'otlp' }).otlpEndpoint).toBe('http://collector:4318/v1/traces');
  });

  it('rejects bad values with the variable name and a good example, never echoing header values', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(() => tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL like http://collector:4318, but got "collector:4318".',
    );
    expect(() => tracingOptionsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://c:4317' })).toThrow(
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL like http://collector:4318/v1/traces, but got "grpc://c:4317".',
    );
    expect(() => tracingOptionsFromEnv({ ...endpoint, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '25%' })).toThrow(
      'OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 like 0.25, but got "25%".',
    );
    expect(() => tracingOptionsFromEnv({ ...endpoint, OTEL_TRACES_SAMPLER: 'jaeger_remote' })).toThrow(/OTEL_TRACES_SAMPLER must be one of always_on, .*but got "jaeger_remote"/);
    expect(() => tracingOptionsFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER must be "otlp" or "none"/);
    expect(() => tracingOptionsFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'yes' })).toThrow('OTEL_SDK_DISABLED must be true or false, but got "yes".');
    expect(() => tracingOptionsFromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'topsecretvalue' })).toThrow(
      expect.objectContaining({ code: 'COMMON_ERR_CONFIG_INVALID', message: expect.not.stringContaining('topsecretvalue') }),
    );
    expect(() => tracingOptionsFromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'k=%E0%A4%A' })).toThrow(/value of header "k" is not valid URL encoding/);
  });
});
