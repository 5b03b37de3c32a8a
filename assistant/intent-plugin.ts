// The intent plugin contract (STYLE.md 1): one small interface. A plugin detects the intents it knows in a visitor's
// message and answers the one chosen. Plugins propose; they never act: an answer is text plus proposals (hand over,
// suggest a refund to the agent) that a person carries out. Built-in plugins live in plugins/; integrators write
// their own the same way (docs/assistant.md, `npx unics new intent <name>`).
import type { CustomerProfile } from './customer-profile.ts';

export type Language = 'zh' | 'en';

/** One earlier turn of the conversation, oldest first. */
export interface ConversationTurn {
  readonly from: 'visitor' | 'assistant' | 'agent';
  readonly text: string;
  /** The intent the assistant chose for that visitor turn, when it chose one. */
  readonly intent?: string;
}

/** What a plugin knows about the message besides its text. */
export interface DetectContext {
  readonly tenant: string;
  readonly conversationId: string;
  /** The message's language, from its script (zh when it holds Chinese characters, else en). */
  readonly language: Language;
  /** The text lower-cased, full-width forms folded, whitespace collapsed (what the built-in rules match against). */
  readonly normalized: string;
  /** Recent turns, oldest first (at most a few). */
  readonly history: readonly ConversationTurn[];
}

/** Who is asking. Detection never needs the profile; respond() loads it when it answers. */
export interface CustomerRef {
  readonly tenant: string;
  readonly id: string;
}

export interface Detection {
  readonly intent: string;
  /** 0–1: how sure the plugin is that the message means this intent. */
  readonly confidence: number;
  /** What the detector pulled out of the text (an order number, an FAQ topic). */
  readonly slots?: Readonly<Record<string, string>>;
}

export interface RespondContext extends DetectContext {
  readonly customer: CustomerRef;
  /** The customer's profile, loaded once per message on first call (through the gateway); rejects with
   * ASSIST_ERR_PROFILE_UNAVAILABLE when it cannot be read. */
  profile(): Promise<CustomerProfile>;
  /** Now, in ms since epoch (the assistant's clock). */
  readonly now: number;
  /** Formats an ISO or epoch time as the customer's clock time, e.g. "12:03:07". */
  formatTime(time: string | number): string;
}

/** A proposal for a person; the assistant itself never carries one out. */
export type AssistantAction =
  | { readonly type: 'handover'; readonly reason: string }
  | { readonly type: 'suggest_to_agent'; readonly suggestion: 'refund' | 'replacement' | 'cancellation' | 'address_change' | 'other'; readonly orderId?: string; readonly note: string };

export interface AssistantReply {
  readonly messages: readonly string[];
  readonly actions: readonly AssistantAction[];
}

export interface IntentPlugin {
  /** Registry name, lower-case with dashes ("order-status"). */
  readonly name: string;
  /** One line for docs and `unics` listings. */
  readonly description: string;
  /** The intents this plugin can detect and answer. */
  readonly intents: readonly string[];
  /** Higher runs first and wins ties. Built-ins use 0–100. */
  readonly priority: number;
  /** Pure and fast: no I/O. Returns every intent the message may mean, or none. */
  detect(text: string, context: DetectContext, customer: CustomerRef): readonly Detection[];
  /** Answers a detection this plugin made. May read the profile; must answer only from it. */
  respond(detection: Detection, context: RespondContext): Promise<AssistantReply> | AssistantReply;
}
