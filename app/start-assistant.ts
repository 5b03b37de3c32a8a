// Builds the service assistant from config.assistant over the unified schema (in process, as the assistant's own
// principal). Not yet called by buildApp(): the chat wiring calls it once the chat core exists (assistant/README.md,
// "Wiring into chat"). Plugins and the FAQ file are checked here, so a bad unics.yaml fails at start-up.
import type { Clock, Logger } from '../common/index.ts';
import { createAssistant, createInProcessExecutor, createProfileLoader, type Assistant, type InProcessSchema } from '../assistant/index.ts';
import { loadIntentPlugins } from '../assistant/load-intent-plugins.ts';
import type { Config } from './config.ts';

export interface StartAssistantDeps {
  /** The schema module the gateway serves (createSchemaModule's result). */
  readonly schema: InProcessSchema;
  readonly clock: Clock;
  readonly log: Logger;
  /** Where relative paths in config.assistant start. Default process.cwd(). */
  readonly baseDir?: string;
}

/** The assistant, or undefined when config.assistant.enabled is false. */
export async function startAssistant(config: Config, deps: StartAssistantDeps): Promise<Assistant | undefined> {
  const settings = config.assistant;
  if (!settings.enabled) return undefined;
  const { active } = await loadIntentPlugins({
    modules: settings.modules,
    ...(settings.faqFile === undefined ? {} : { faqFile: settings.faqFile }),
    settings: settings.plugins,
    baseDir: deps.baseDir ?? process.cwd(),
  });
  deps.log.info({ plugins: active.map((a) => `${a.plugin.name}@${a.weight}`), threshold: settings.threshold }, 'assistant: plugins loaded');
  return createAssistant({
    plugins: active,
    profiles: createProfileLoader({ execute: createInProcessExecutor(deps.schema) }),
    clock: deps.clock,
    log: deps.log.child({ module: 'assistant' }),
    threshold: settings.threshold,
    margin: settings.margin,
    negativeSentiment: settings.negativeSentiment,
    maxMessageChars: settings.maxMessageChars,
    respondTimeoutMs: Math.round(settings.respondTimeout),
    timeZone: settings.timeZone,
  });
}
