// The built-in intent plugins, in one list for the registry.
import { loadFaq, type FaqEntry } from '../faq-knowledge.ts';
import type { IntentPlugin } from '../intent-plugin.ts';
import { createFaqPlugin } from './faq.ts';
import { humanHandoverPlugin } from './human-handover.ts';
import { orderStatusPlugin } from './order-status.ts';
import { refundPlugin } from './refund.ts';
import { shipmentTrackingPlugin } from './shipment-tracking.ts';
import { smallTalkPlugin } from './small-talk.ts';

export const BUILTIN_PLUGIN_NAMES = ['faq', 'human-handover', 'order-status', 'refund', 'shipment-tracking', 'small-talk'] as const;

/** The built-ins; the FAQ plugin reads `faq` (default: assistant/faq.yaml). */
export function builtinIntentPlugins(options: { faq?: readonly FaqEntry[] } = {}): IntentPlugin[] {
  return [humanHandoverPlugin, orderStatusPlugin, refundPlugin, shipmentTrackingPlugin, createFaqPlugin(options.faq ?? loadFaq()), smallTalkPlugin];
}
