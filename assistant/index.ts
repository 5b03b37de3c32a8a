// The public surface of assistant/: the service assistant (intent plugins, handover rules, the profile it reads).
export { assistantErrors, assistErr } from './error-catalogue.ts';
export type { AssistantAction, AssistantReply, ConversationTurn, CustomerRef, DetectContext, Detection, IntentPlugin, Language, RespondContext } from './intent-plugin.ts';
export type { CustomerProfile, ProfileContact, ProfileFreshness, ProfileOrder, ProfileOrderItem, ProfilePayment, ProfileShipment, ProfileSource, ProfileTicket } from './customer-profile.ts';
export { createIntentRegistry, type ActivePlugin, type IntentRegistry, type PluginSettings } from './plugin-registry.ts';
export { combineDetections, type Candidate, type CombineOptions, type Decision } from './combine-detections.ts';
export { createAssistant, newAssistantSession, type Assistant, type AssistantOptions, type AssistantOutcome, type AssistantSession, type AssistantTurn, type HandoverNote, type VisitorMessage } from './create-assistant.ts';
export { assistantSpeaks, handoverStep, HANDOVER_TRANSITIONS, type HandoverEvent, type HandoverReason, type HandoverState, type HandoverStep } from './handover-machine.ts';
export { createHttpExecutor, createInProcessExecutor, createProfileLoader, ASSISTANT_PRINCIPAL, type GraphQLExecutor, type HttpExecutorOptions, type InProcessSchema } from './profile-loader.ts';
export { PROFILE_QUERY, toCustomerProfile } from './profile-query.ts';
export { loadFaq, parseFaq, DEFAULT_FAQ_FILE, type FaqEntry } from './faq-knowledge.ts';
export { builtinIntentPlugins, BUILTIN_PLUGIN_NAMES } from './plugins/builtin-plugins.ts';
export { sentimentScore, CLEARLY_NEGATIVE } from './sentiment.ts';
export { normalize, detectLanguage, orderNumbersIn, scoreCues, confidenceOf, type Cue } from './text-features.ts';
export { pickOrder, withAsOf, asOfText, formatMoney, type OrderPick } from './answer-helpers.ts';
