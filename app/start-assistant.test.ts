// config.assistant: defaults, validation at the edge, and the assistant built from it.
import { describe, expect, it } from 'vitest';
import { buildExecutableSchema } from '../schema/executable-schema.ts';
import { createFakeClock, createLogger } from '../common/index.ts';
import { parseConfig } from './config.ts';
import { startAssistant } from './start-assistant.ts';

const deps = () => ({
  // The assistant must not read profiles in these tests: a schema whose every read fails says so loudly.
  schema: { schema: buildExecutableSchema('type Query { customer(id: ID!): String }', { Query: { customer: () => { throw new Error('no profile reads here'); } } }), createContext: () => ({}) },
  clock: createFakeClock(0),
  log: createLogger({ level: 'silent' }),
});

describe('config.assistant', () => {
  it('has defaults', () => {
    const config = parseConfig({}, 'test');
    expect(config.assistant).toEqual({ enabled: true, threshold: 0.6, margin: 0.1, negativeSentiment: -2, maxMessageChars: 2000, respondTimeout: 800, timeZone: 'UTC', modules: [], plugins: {} });
  });

  it('names a bad setting and what arrived', () => {
    expect(() => parseConfig({ assistant: { threshold: 1.5, timeZone: 'Mars/Olympus', plugins: { Faq: {} } } }, 'unics.yaml')).toThrow(
      'invalid configuration in unics.yaml:\n  - assistant.threshold: Too big: expected number to be <=1, but got 1.5\n  - assistant.timeZone: must be an IANA time zone such as "Europe/Berlin" or "UTC", but got "Mars/Olympus"\n  - assistant.plugins.Faq: "Faq" is not a plugin name (lower-case letters, digits and dashes, like "order-status"), but got {}',
    );
  });

  it('an unknown plugin name fails when the assistant loads, listing the known ones', async () => {
    await expect(startAssistant(parseConfig({ assistant: { plugins: { 'order-stats': { weight: 0.5 } } } }, 'test'), deps())).rejects.toMatchObject({
      code: 'ASSIST_ERR_PLUGIN_INVALID',
      message: 'assistant.plugins.order-stats: no intent plugin is called "order-stats"; known plugins: faq, human-handover, order-status, refund, shipment-tracking, small-talk',
    });
  });

  it('weights and disabled plugins from the config change what is answered', async () => {
    const normal = await startAssistant(parseConfig({}, 'test'), deps());
    expect(normal?.classify('what are your opening hours?')).toMatchObject({ kind: 'answer', winner: { intent: 'faq.opening_hours' } });
    const damped = await startAssistant(parseConfig({ assistant: { plugins: { faq: { weight: 0.5 }, 'small-talk': { enabled: false } } } }, 'test'), deps());
    expect(damped?.classify('what are your opening hours?')).toMatchObject({ kind: 'none', why: 'below_threshold' });
    expect(damped?.classify('hello')).toMatchObject({ kind: 'none', why: 'nothing_detected' });
  });

  it('enabled: false gives no assistant', async () => {
    expect(await startAssistant(parseConfig({ assistant: { enabled: false } }, 'test'), deps())).toBeUndefined();
  });
});
