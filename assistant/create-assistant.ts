// createAssistant(): one visitor message in, what the assistant says and proposes out. Detection runs every active
// plugin (pure, no I/O), combine-detections decides, the winning plugin answers (loading the profile through the
// gateway only then), and the handover machine decides whether the assistant keeps talking. The per-conversation
// state is a small JSON value (AssistantSession) that the caller keeps with the conversation, so any instance can
// handle the next message.
import type { Clock } from '../common/clock.ts';
import type { Logger } from '../common/logger.ts';
import { combineDetections, type Candidate, type Decision } from './combine-detections.ts';
import type { CustomerProfile, ProfileSource } from './customer-profile.ts';
import { assistErr } from './error-catalogue.ts';
import { assistantSpeaks, handoverStep, type HandoverEvent, type HandoverReason, type HandoverState } from './handover-machine.ts';
import type { AssistantAction, ConversationTurn, DetectContext, Detection, Language, RespondContext } from './intent-plugin.ts';
import type { ActivePlugin } from './plugin-registry.ts';
import { CLEARLY_NEGATIVE, sentimentScore } from './sentiment.ts';
import { detectLanguage, normalize } from './text-features.ts';

export interface AssistantOptions {
  readonly plugins: readonly ActivePlugin[];
  readonly profiles: ProfileSource;
  readonly clock: Clock;
  readonly log: Logger;
  /** Minimum combined confidence to answer. Default 0.6. */
  readonly threshold?: number;
  /** Minimum lead of the best intent over the next. Default 0.1. */
  readonly margin?: number;
  /** Sentiment at or below this hands over. Default -2. */
  readonly negativeSentiment?: number;
  /** Longest message read, in characters. Default 2000. */
  readonly maxMessageChars?: number;
  /** Budget for answering one message (profile read included), ms. Default 800. */
  readonly respondTimeoutMs?: number;
  /** IANA time zone for "as of 12:03:07". Default UTC. */
  readonly timeZone?: string;
  /** Turns kept in the session for the agent's note. Default 6. */
  readonly keepTurns?: number;
}

/** What the assistant recorded about one visitor message: what was said and why. */
export interface AssistantTurn {
  readonly at: string;
  readonly text: string;
  readonly intent: string | null;
  readonly confidence: number;
  readonly plugin: string | null;
  /** answered, or why not: nothing_detected, below_threshold, ambiguous, negative_sentiment, quiet, failed. */
  readonly outcome: 'answered' | Exclude<Decision, { kind: 'answer' }>['why'] | 'negative_sentiment' | 'quiet' | 'failed';
  readonly sentiment: number;
  readonly replies: readonly string[];
}

/** The conversation's assistant state; plain JSON, kept by the caller between messages. */
export interface AssistantSession {
  readonly state: HandoverState;
  readonly turns: readonly AssistantTurn[];
}

export const newAssistantSession = (): AssistantSession => ({ state: 'assisting', turns: [] });

/** For the agent: why the assistant stepped aside, and what it said before. */
export interface HandoverNote {
  readonly reason: HandoverReason;
  readonly at: string;
  readonly turns: readonly AssistantTurn[];
}

export interface VisitorMessage {
  readonly tenant: string;
  readonly conversationId: string;
  readonly customerId: string;
  readonly text: string;
  readonly session: AssistantSession;
  /** Recent turns of the conversation (any sender), oldest first. */
  readonly history?: readonly ConversationTurn[];
  readonly signal?: AbortSignal;
}

export interface AssistantOutcome {
  readonly session: AssistantSession;
  /** Messages to post as `from: assistant`, in order (empty when the assistant says nothing). */
  readonly messages: readonly string[];
  /** Proposals for the agent (never carried out by the assistant). */
  readonly actions: readonly AssistantAction[];
  readonly turn: AssistantTurn;
  /** Set when this message hands the conversation to a person. */
  readonly handover?: HandoverNote;
}

export interface Assistant {
  onVisitorMessage(message: VisitorMessage): Promise<AssistantOutcome>;
  /** Conversation events: an agent joined or left, or gave the conversation back (resume). */
  onConversationEvent(session: AssistantSession, event: Extract<HandoverEvent, { type: 'agent_joined' | 'agent_left' | 'resume' }>): { session: AssistantSession; handover?: HandoverNote };
  /** Detection and decision only, no answer and no state (the benchmark and tests use it). */
  classify(text: string, language?: Language): Decision;
}

const STEP_ASIDE: Record<Language, string> = {
  en: "I'll pass you to a colleague who can help better — one moment please.",
  zh: '我为您转接人工客服，请稍候。',
};

/** A plugin's answer, or a rejection once the budget (or the caller's signal) runs out, whatever the plugin does. */
function withinBudget<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createAssistant(options: AssistantOptions): Assistant {
  const { plugins, profiles, clock, log } = options;
  const threshold = options.threshold ?? 0.6;
  const margin = options.margin ?? 0.1;
  const negativeLine = options.negativeSentiment ?? CLEARLY_NEGATIVE;
  const maxChars = options.maxMessageChars ?? 2000;
  const respondTimeoutMs = options.respondTimeoutMs ?? 800;
  const keepTurns = options.keepTurns ?? 6;
  const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: options.timeZone ?? 'UTC', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const formatTime = (time: string | number) => timeFormat.format(new Date(time));

  function decide(text: string, ctx: DetectContext, customer: { tenant: string; id: string }): Decision {
    const votes: Array<{ plugin: ActivePlugin; detections: readonly Detection[] }> = [];
    for (const active of plugins) {
      try {
        votes.push({ plugin: active, detections: active.plugin.detect(text, ctx, customer) });
      } catch (err) {
        // One broken plugin must not silence the others.
        log.error({ err, plugin: active.plugin.name }, 'assistant: an intent plugin failed to detect; its vote is ignored');
      }
    }
    return combineDetections(votes, { threshold, margin });
  }

  const detectContext = (text: string, tenant: string, conversationId: string, history: readonly ConversationTurn[], language?: Language): DetectContext => ({
    tenant,
    conversationId,
    language: language ?? detectLanguage(text),
    normalized: normalize(text),
    history,
  });

  const record = (session: AssistantSession, state: HandoverState, turn: AssistantTurn): AssistantSession => ({ state, turns: [...session.turns, turn].slice(-keepTurns) });

  return {
    classify(text, language) {
      const ctx = detectContext(text, 'bench', 'bench', [], language);
      return decide(text, ctx, { tenant: 'bench', id: 'bench' });
    },

    async onVisitorMessage(m) {
      if (m.text.length > maxChars) {
        throw assistErr.ASSIST_ERR_MESSAGE_TOO_LARGE(`conversation ${m.conversationId}: the message has ${m.text.length} characters; the assistant reads at most ${maxChars} (assistant.maxMessageChars)`);
      }
      const at = new Date(clock.now()).toISOString();
      const ctx = detectContext(m.text, m.tenant, m.conversationId, m.history ?? []);
      const sentiment = sentimentScore(ctx.normalized);
      const base = { at, text: m.text, sentiment };
      if (!assistantSpeaks(m.session.state)) {
        const turn: AssistantTurn = { ...base, intent: null, confidence: 0, plugin: null, outcome: 'quiet', replies: [] };
        return { session: m.session, messages: [], actions: [], turn };
      }
      const decision = decide(m.text, ctx, { tenant: m.tenant, id: m.customerId });
      const best: Candidate | undefined = decision.kind === 'answer' ? decision.winner : decision.best;
      const why = { intent: best?.intent ?? null, confidence: best?.score ?? 0, plugin: best?.plugin.plugin.name ?? null };

      const finish = (event: HandoverEvent, turn: AssistantTurn, actions: readonly AssistantAction[]): AssistantOutcome => {
        const step = handoverStep(m.session.state, event);
        // Stepping aside without a plugin having said so: tell the customer, and propose the handover ourselves.
        const stepAside = step.handover !== undefined && !actions.some((a) => a.type === 'handover');
        const messages = stepAside ? [...turn.replies, STEP_ASIDE[ctx.language]] : turn.replies;
        const allActions: readonly AssistantAction[] = stepAside ? [...actions, { type: 'handover', reason: step.handover as string }] : actions;
        const finalTurn: AssistantTurn = { ...turn, replies: messages };
        const session = record(m.session, step.state, finalTurn);
        const handover = step.handover === undefined ? undefined : { reason: step.handover, at, turns: session.turns };
        return { session, messages, actions: allActions, turn: finalTurn, ...(handover ? { handover } : {}) };
      };

      // A person first: the customer asked, or is clearly upset (answering an angry message with a bot helps nobody).
      if (decision.kind === 'answer' && decision.winner.intent === 'human_handover') {
        // The plugin's reply is the handover message; fall through to answer it.
      } else if (sentiment <= negativeLine) {
        return finish({ type: 'negative_sentiment' }, { ...base, ...why, outcome: 'negative_sentiment', replies: [] }, []);
      }
      if (decision.kind === 'none') return finish({ type: 'low_confidence' }, { ...base, ...why, outcome: decision.why, replies: [] }, []);

      const { winner } = decision;
      let profile: Promise<CustomerProfile> | undefined;
      let profileSettled = false;
      const signal = m.signal ? AbortSignal.any([m.signal, AbortSignal.timeout(respondTimeoutMs)]) : AbortSignal.timeout(respondTimeoutMs);
      const respondCtx: RespondContext = {
        ...ctx,
        customer: { tenant: m.tenant, id: m.customerId },
        now: clock.now(),
        formatTime,
        profile: () => (profile ??= profiles.load(m.tenant, m.customerId, signal).finally(() => (profileSettled = true))),
      };
      try {
        const reply = await withinBudget(Promise.resolve(winner.plugin.plugin.respond(winner.detection, respondCtx)), signal);
        const turn: AssistantTurn = { ...base, ...why, outcome: 'answered', replies: reply.messages };
        const proposesHandover = reply.actions.some((a) => a.type === 'handover');
        const event: HandoverEvent = winner.intent === 'human_handover' ? { type: 'asked_for_person' } : proposesHandover ? { type: 'plugin_proposed' } : { type: 'answered' };
        return finish(event, turn, reply.actions);
      } catch (err) {
        // Out of time while the profile read was still pending: the profile is what was missing, not the plugin.
        const unavailable = assistErr.ASSIST_ERR_PROFILE_UNAVAILABLE.is(err) || (signal.aborted && profile !== undefined && !profileSettled);
        log.warn({ err, plugin: winner.plugin.plugin.name, conversationId: m.conversationId }, unavailable ? 'assistant: the profile could not be read; handing over' : 'assistant: a plugin failed to answer; handing over');
        // Either way the customer must not be left with silence about their question.
        return finish({ type: unavailable ? 'profile_unavailable' : 'plugin_failed' }, { ...base, ...why, outcome: 'failed', replies: [] }, []);
      }
    },

    onConversationEvent(session, event) {
      const step = handoverStep(session.state, event);
      const next = { ...session, state: step.state };
      return step.handover === undefined ? { session: next } : { session: next, handover: { reason: step.handover, at: new Date(clock.now()).toISOString(), turns: session.turns } };
    },
  };
}
