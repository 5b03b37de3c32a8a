import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../common/clock.ts';
import type { Connector } from '../connectors/connector.ts';
import { connErr } from '../connectors/error-catalogue.ts';
import { createConnectorReadiness } from './connector-readiness.ts';

function connector(name: string, check: (signal: AbortSignal) => Promise<void>): Connector {
  return { name, kind: 'fake', entities: new Map(), commands: new Map(), load: async () => new Map(), call: async () => undefined, check, close: async () => {} };
}

describe('createConnectorReadiness', () => {
  it('is ready when every check passes, names the failing ones otherwise, and reuses an answer for cacheTtl', async () => {
    const clock = createFakeClock(0);
    let wmsUp = false;
    let checks = 0;
    const connectors = new Map([
      ['crm', connector('crm', async () => void (checks += 1))],
      ['wms', connector('wms', async () => {
        checks += 1;
        if (!wmsUp) throw connErr.CONN_ERR_UNAVAILABLE('connector "wms": connection refused');
      })],
    ]);
    const lifecycle = { state: 'open' as 'open' | 'closing' | 'closed' };
    const readiness = createConnectorReadiness({ connectors, lifecycle, clock, timeoutMs: 1000, cacheTtlMs: 5000 });
    expect(await readiness()).toEqual({
      ready: false,
      checks: { crm: { ok: true, durationMs: 0 }, wms: { ok: false, durationMs: 0, code: 'CONN_ERR_UNAVAILABLE', message: 'connector "wms": connection refused' } },
    });
    wmsUp = true;
    expect((await readiness()).ready).toBe(false); // cached
    expect(checks).toBe(2);
    clock.advance(5000);
    expect((await readiness()).ready).toBe(true);
    expect(checks).toBe(4);
    lifecycle.state = 'closing';
    expect(await readiness()).toEqual({ ready: false, checks: { process: { ok: false, code: 'COMMON_ERR_CLOSED', message: 'shutting down' } } });
  });

  it('gives a hanging check its time budget and reports a timeout', async () => {
    const clock = createFakeClock(0);
    let aborted = false;
    const hanging = connector('shop', (signal) => new Promise<void>(() => signal.addEventListener('abort', () => (aborted = true))));
    const readiness = createConnectorReadiness({ connectors: new Map([['shop', hanging]]), lifecycle: { state: 'open' }, clock, timeoutMs: 2000, cacheTtlMs: 0 });
    const answer = readiness();
    clock.advance(2000);
    expect(await answer).toEqual({ ready: false, checks: { shop: { ok: false, durationMs: 2000, code: 'COMMON_ERR_TIMEOUT', message: 'no answer within 2000 ms' } } });
    expect(aborted).toBe(true);
  });
});
