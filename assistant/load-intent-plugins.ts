// Loads the assistant's plugins at start-up: the built-ins (the FAQ plugin over faq.yaml or assistant.faqFile) and
// integrators' own modules (assistant.modules: files exporting an IntentPlugin as `default` or `plugin`), then
// activates them with assistant.plugins. Anything wrong fails here, before the assistant says a word.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assistErr } from './error-catalogue.ts';
import { loadFaq } from './faq-knowledge.ts';
import type { IntentPlugin } from './intent-plugin.ts';
import { createIntentRegistry, type ActivePlugin, type IntentRegistry, type PluginSettings } from './plugin-registry.ts';
import { builtinIntentPlugins } from './plugins/builtin-plugins.ts';

export interface LoadIntentPluginsOptions {
  /** Module files with one IntentPlugin each (relative to baseDir). */
  readonly modules?: readonly string[];
  /** A FAQ file instead of the built-in assistant/faq.yaml (relative to baseDir). */
  readonly faqFile?: string;
  readonly settings?: Readonly<Record<string, PluginSettings>>;
  /** Where relative paths start; the process's working directory in the app. */
  readonly baseDir: string;
}

export interface LoadedIntentPlugins {
  readonly registry: IntentRegistry;
  readonly active: readonly ActivePlugin[];
}

async function importPlugin(file: string, baseDir: string): Promise<IntentPlugin> {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw assistErr.ASSIST_ERR_PLUGIN_INVALID(`assistant.modules: ${file} cannot be loaded: ${(err as Error).message}`, { cause: err });
  }
  const plugin = mod.default ?? mod.plugin;
  if (plugin === undefined || plugin === null || typeof plugin !== 'object') {
    throw assistErr.ASSIST_ERR_PLUGIN_INVALID(`assistant.modules: ${file} must export an intent plugin as "default" or "plugin", but exports ${Object.keys(mod).join(', ') || 'nothing'}`);
  }
  return plugin as IntentPlugin;
}

export async function loadIntentPlugins(options: LoadIntentPluginsOptions): Promise<LoadedIntentPlugins> {
  const faq = options.faqFile === undefined ? loadFaq() : loadFaq(resolve(options.baseDir, options.faqFile));
  const custom: IntentPlugin[] = [];
  for (const file of options.modules ?? []) custom.push(await importPlugin(file, options.baseDir));
  const registry = createIntentRegistry([...builtinIntentPlugins({ faq }), ...custom]);
  return { registry, active: registry.activate(options.settings) };
}
