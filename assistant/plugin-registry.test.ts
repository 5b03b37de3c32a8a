import { describe, expect, it } from 'vitest';
import type { IntentPlugin } from './intent-plugin.ts';
import { createIntentRegistry } from './plugin-registry.ts';

const plugin = (over: Partial<IntentPlugin> = {}): IntentPlugin => ({
  name: 'opening-hours',
  description: 'when we are open',
  intents: ['opening_hours'],
  priority: 10,
  detect: () => [],
  respond: () => ({ messages: [], actions: [] }),
  ...over,
});

describe('createIntentRegistry', () => {
  it('refuses a malformed plugin at load time, naming it and every missing part', () => {
    const broken = { name: 'Bad Name', intents: [], priority: 'high' } as unknown as IntentPlugin;
    expect(() => createIntentRegistry([broken])).toThrow(
      [
        'intent plugin "Bad Name": name must be lower-case letters, digits and dashes (e.g. "order-status"), but got "Bad Name"',
        'intent plugin "Bad Name": needs a description',
        'intent plugin "Bad Name": needs intents: a non-empty list of intent names',
        'intent plugin "Bad Name": priority must be a number, but got "high"',
        'intent plugin "Bad Name": needs detect(text, context, customer)',
        'intent plugin "Bad Name": needs respond(detection, context)',
      ].join('\n'),
    );
  });

  it('refuses two plugins with one name', () => {
    expect(() => createIntentRegistry([plugin(), plugin()])).toThrow('intent plugin "opening-hours" is registered twice');
  });

  it('activates enabled plugins by priority with their configured weight', () => {
    const registry = createIntentRegistry([plugin(), plugin({ name: 'vip', priority: 90 }), plugin({ name: 'off', priority: 99 })]);
    const active = registry.activate({ 'opening-hours': { weight: 0.5, priority: 95 }, off: { enabled: false } });
    expect(active.map((a) => [a.plugin.name, a.priority, a.weight])).toEqual([['opening-hours', 95, 0.5], ['vip', 90, 1]]);
  });

  it('refuses settings for an unknown plugin or a weight outside 0–1, with the known names', () => {
    const registry = createIntentRegistry([plugin()]);
    let error: unknown;
    try {
      registry.activate({ 'order-stats': {}, 'opening-hours': { weight: 2 } });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'ASSIST_ERR_PLUGIN_INVALID',
      message: 'assistant.plugins.order-stats: no intent plugin is called "order-stats"; known plugins: opening-hours\nassistant.plugins.opening-hours.weight must be between 0 and 1, but got 2',
    });
  });
});
