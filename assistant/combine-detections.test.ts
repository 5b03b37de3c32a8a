import { describe, expect, it } from 'vitest';
import { combineDetections } from './combine-detections.ts';
import type { IntentPlugin } from './intent-plugin.ts';
import type { ActivePlugin } from './plugin-registry.ts';

const active = (name: string, weight = 1, priority = 50): ActivePlugin => ({
  plugin: { name, description: name, intents: ['x'], priority, detect: () => [], respond: () => ({ messages: [], actions: [] }) } satisfies IntentPlugin,
  weight,
  priority,
});
const opts = { threshold: 0.6, margin: 0.1 };

describe('combineDetections', () => {
  it('nothing detected: no answer', () => {
    expect(combineDetections([{ plugin: active('a'), detections: [] }], opts)).toMatchObject({ kind: 'none', why: 'nothing_detected' });
  });

  it('below the threshold: no answer, with the best candidate kept for the record', () => {
    const d = combineDetections([{ plugin: active('a'), detections: [{ intent: 'order_status', confidence: 0.59 }] }], opts);
    expect(d).toMatchObject({ kind: 'none', why: 'below_threshold', best: { intent: 'order_status', score: 0.59 } });
  });

  it('a weight scales a plugin down below the threshold', () => {
    const d = combineDetections([{ plugin: active('a', 0.5), detections: [{ intent: 'order_status', confidence: 0.9 }] }], opts);
    expect(d).toMatchObject({ kind: 'none', why: 'below_threshold', best: { score: 0.45 } });
  });

  it('two plugins agreeing reinforce each other (noisy-OR); the larger contribution answers', () => {
    const d = combineDetections(
      [
        { plugin: active('rules'), detections: [{ intent: 'refund_status', confidence: 0.4 }] },
        { plugin: active('custom', 0.8), detections: [{ intent: 'refund_status', confidence: 0.5 }] },
      ],
      opts,
    );
    // 1 - (1 - 0.4)(1 - 0.4) = 0.64
    expect(d).toMatchObject({ kind: 'answer', winner: { intent: 'refund_status', score: 0.64, plugin: { plugin: { name: 'rules' } } } });
  });

  it('two intents too close to call: no answer (ambiguous)', () => {
    const d = combineDetections([{ plugin: active('a'), detections: [{ intent: 'order_status', confidence: 0.8 }, { intent: 'shipment_tracking', confidence: 0.75 }] }], opts);
    expect(d).toMatchObject({ kind: 'none', why: 'ambiguous', best: { intent: 'order_status' } });
  });

  it('equal contributions: the plugin that votes first (higher priority) answers', () => {
    const d = combineDetections(
      [
        { plugin: active('high', 1, 90), detections: [{ intent: 'faq.x', confidence: 0.7 }] },
        { plugin: active('low', 1, 10), detections: [{ intent: 'faq.x', confidence: 0.7 }] },
      ],
      opts,
    );
    expect(d.kind === 'answer' && d.winner.plugin.plugin.name).toBe('high');
  });
});
