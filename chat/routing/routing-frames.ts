// The routing and agent-tool frames (chat/README.md, "Routing and agent tools"): zod schemas of the client frames,
// given to the chat core's codec as `extraFrames`, and the shapes of the server frames.
import { z } from 'zod';
import { CLIENT_MSG_ID, CONVERSATION_ID, DEFAULT_MAX_TEXT_CHARS } from '../protocol/client-frames.ts';
import type { Participant } from '../store/chat-store.ts';

const SEQ = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const AGENT_ID = z.string().min(1).max(128);
/** Skills and languages are short lower-case names: "billing", "returns", "en", "pt-br". */
const NAME = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lower-case name (letters, digits, . _ -)');
export const MAX_CAPACITY = 50;

export function routingClientFrames(maxTextChars = DEFAULT_MAX_TEXT_CHARS) {
  return {
    /** Agent: take a waiting conversation. */
    accept: z.object({ type: z.literal('accept'), conversationId: CONVERSATION_ID }).strict(),
    /** Agent holding it: hand it to another agent, or back to the queue needing a skill. */
    transfer: z
      .object({ type: z.literal('transfer'), conversationId: CONVERSATION_ID, toAgentId: AGENT_ID.optional(), toSkill: NAME.optional() })
      .strict()
      .refine((f) => (f.toAgentId === undefined) !== (f.toSkill === undefined), { message: 'needs exactly one of toAgentId and toSkill', path: ['toAgentId'] }),
    /** Its agent or its visitor: end the conversation. */
    close: z.object({ type: z.literal('close'), conversationId: CONVERSATION_ID }).strict(),
    /** Agent: go online or offline (offline releases your conversations), optionally updating what you handle. */
    presence: z
      .object({
        type: z.literal('presence'),
        status: z.enum(['online', 'offline']),
        skills: z.array(NAME).max(20).optional(),
        languages: z.array(NAME).max(20).optional(),
        capacity: z.number().int().min(0).max(MAX_CAPACITY).optional(),
      })
      .strict(),
    /** Agent: list the waiting conversations (answered with a `waiting` frame). */
    waiting: z.object({ type: z.literal('waiting') }).strict(),
    /** Participant: typing started or stopped (not stored). */
    typing: z.object({ type: z.literal('typing'), conversationId: CONVERSATION_ID, typing: z.boolean() }).strict(),
    /** Participant: read everything up to seq (stored as a receipt, not as a message). */
    read: z.object({ type: z.literal('read'), conversationId: CONVERSATION_ID, seq: SEQ }).strict(),
    /** Sender: retract your own message (it stays in history, marked). */
    retract: z.object({ type: z.literal('retract'), conversationId: CONVERSATION_ID, seq: SEQ }).strict(),
    /** Agent: an internal note, never shown to the visitor. */
    note: z
      .object({
        type: z.literal('note'),
        conversationId: CONVERSATION_ID,
        clientMsgId: CLIENT_MSG_ID,
        text: z.string().min(1, 'must not be empty').max(maxTextChars, `must be at most ${maxTextChars} characters`),
      })
      .strict(),
    /** Agent: the notes after afterNoteSeq (answered with note frames). */
    notes: z.object({ type: z.literal('notes'), conversationId: CONVERSATION_ID, afterNoteSeq: SEQ }).strict(),
    /** Participant: which messages of the conversation are retracted (answered with a `retractions` frame). */
    retractions: z.object({ type: z.literal('retractions'), conversationId: CONVERSATION_ID }).strict(),
  } as const;
}

type Schemas = ReturnType<typeof routingClientFrames>;
export type AcceptFrame = z.infer<Schemas['accept']>;
export type TransferFrame = z.infer<Schemas['transfer']>;
export type CloseFrame = z.infer<Schemas['close']>;
export type PresenceFrame = z.infer<Schemas['presence']>;
export type WaitingRequestFrame = z.infer<Schemas['waiting']>;
export type TypingFrame = z.infer<Schemas['typing']>;
export type ReadFrame = z.infer<Schemas['read']>;
export type RetractFrame = z.infer<Schemas['retract']>;
export type NoteFrame = z.infer<Schemas['note']>;
export type NotesFrame = z.infer<Schemas['notes']>;
export type RetractionsRequestFrame = z.infer<Schemas['retractions']>;

// Server frames.
export interface WaitingEntry {
  readonly conversationId: string;
  readonly customerId: string;
  readonly skill: string | null;
  readonly language: string | null;
  readonly position: number;
  /** When it started waiting (ISO 8601; kept when it comes back to the queue). */
  readonly since: string;
}
export type RoutingServerFrame =
  | { readonly type: 'queue'; readonly conversationId: string; readonly position: number }
  | { readonly type: 'waiting'; readonly entries: readonly WaitingEntry[] }
  | { readonly type: 'assigned'; readonly conversationId: string; readonly customerId: string; readonly agentId: string }
  | { readonly type: 'unassigned'; readonly conversationId: string; readonly reason: 'transferred' | 'offline' | 'closed' }
  | { readonly type: 'closed'; readonly conversationId: string; readonly by: Participant }
  | { readonly type: 'presence'; readonly status: 'online' | 'offline'; readonly released: readonly string[] }
  | { readonly type: 'typing'; readonly conversationId: string; readonly from: Participant; readonly typing: boolean }
  | { readonly type: 'read'; readonly conversationId: string; readonly from: Participant; readonly seq: number }
  | { readonly type: 'retracted'; readonly conversationId: string; readonly seq: number; readonly by: Participant; readonly at: string }
  | {
      readonly type: 'retractions';
      readonly conversationId: string;
      readonly entries: ReadonlyArray<{ readonly seq: number; readonly by: Participant; readonly at: string }>;
    }
  | {
      readonly type: 'note';
      readonly conversationId: string;
      readonly noteSeq: number;
      readonly afterSeq: number;
      readonly clientMsgId: string;
      readonly from: Participant;
      readonly text: string;
      readonly at: string;
      readonly duplicate?: true;
    };
