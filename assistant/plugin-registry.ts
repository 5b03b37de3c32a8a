// Intent plugins registered by name (STYLE.md 1). Everything that can be wrong with a plugin or with the plugin part
// of unics.yaml fails here, at load time, with one ASSIST_ERR_PLUGIN_INVALID naming every problem found.
import { assistErr } from './error-catalogue.ts';
import type { IntentPlugin } from './intent-plugin.ts';

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const INTENT = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$/;

/** Per-plugin settings from unics.yaml (assistant.plugins.<name>). */
export interface PluginSettings {
  readonly enabled?: boolean;
  /** Multiplies the plugin's confidences, 0–1. Default 1. */
  readonly weight?: number;
  /** Overrides the plugin's own priority. */
  readonly priority?: number;
}

/** A plugin as the assistant runs it: enabled, with its weight and priority settled. */
export interface ActivePlugin {
  readonly plugin: IntentPlugin;
  readonly weight: number;
  readonly priority: number;
}

export interface IntentRegistry {
  readonly names: readonly string[];
  get(name: string): IntentPlugin;
  /** The enabled plugins, highest priority first (ties by name); settings naming an unknown plugin fail. */
  activate(settings?: Readonly<Record<string, PluginSettings>>): readonly ActivePlugin[];
}

function problemsOf(p: IntentPlugin | undefined): string[] {
  if (p === null || typeof p !== 'object') return ['is not an object'];
  const problems: string[] = [];
  if (typeof p.name !== 'string' || !NAME.test(p.name)) problems.push(`name must be lower-case letters, digits and dashes (e.g. "order-status"), but got ${JSON.stringify(p.name)}`);
  if (typeof p.description !== 'string' || p.description.trim() === '') problems.push('needs a description');
  if (!Array.isArray(p.intents) || p.intents.length === 0) problems.push('needs intents: a non-empty list of intent names');
  else for (const i of p.intents) if (typeof i !== 'string' || !INTENT.test(i)) problems.push(`intent ${JSON.stringify(i)} must look like "order_status" or "faq.returns"`);
  if (typeof p.priority !== 'number' || !Number.isFinite(p.priority)) problems.push(`priority must be a number, but got ${JSON.stringify(p.priority)}`);
  if (typeof p.detect !== 'function') problems.push('needs detect(text, context, customer)');
  if (typeof p.respond !== 'function') problems.push('needs respond(detection, context)');
  return problems;
}

export function createIntentRegistry(plugins: readonly IntentPlugin[]): IntentRegistry {
  const byName = new Map<string, IntentPlugin>();
  const problems: string[] = [];
  plugins.forEach((p, index) => {
    const label = typeof p?.name === 'string' ? `"${p.name}"` : `#${index + 1}`;
    for (const problem of problemsOf(p)) problems.push(`intent plugin ${label}: ${problem}`);
    if (typeof p?.name === 'string') {
      if (byName.has(p.name)) problems.push(`intent plugin "${p.name}" is registered twice`);
      byName.set(p.name, p);
    }
  });
  if (problems.length > 0) throw assistErr.ASSIST_ERR_PLUGIN_INVALID(problems.join('\n'));
  const names = [...byName.keys()].sort();

  return {
    names,
    get(name) {
      const found = byName.get(name);
      if (!found) throw assistErr.ASSIST_ERR_PLUGIN_INVALID(`unknown intent plugin "${name}"; known plugins: ${names.join(', ')}`);
      return found;
    },
    activate(settings = {}) {
      const bad: string[] = [];
      for (const [name, s] of Object.entries(settings)) {
        if (!byName.has(name)) bad.push(`assistant.plugins.${name}: no intent plugin is called "${name}"; known plugins: ${names.join(', ')}`);
        if (s.weight !== undefined && !(s.weight >= 0 && s.weight <= 1)) bad.push(`assistant.plugins.${name}.weight must be between 0 and 1, but got ${s.weight}`);
      }
      if (bad.length > 0) throw assistErr.ASSIST_ERR_PLUGIN_INVALID(bad.join('\n'));
      return [...byName.values()]
        .filter((p) => settings[p.name]?.enabled !== false)
        .map((plugin) => ({ plugin, weight: settings[plugin.name]?.weight ?? 1, priority: settings[plugin.name]?.priority ?? plugin.priority }))
        .sort((a, b) => b.priority - a.priority || a.plugin.name.localeCompare(b.plugin.name));
    },
  };
}
