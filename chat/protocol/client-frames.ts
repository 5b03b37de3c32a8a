// The frames a client may send (DESIGN.md: send, resume, ack; plus history for paging), as zod schemas. chat/routing
// adds its own frame types through createFrameCodec's `extraFrames`, so the set is open but every frame is checked.
import { z } from 'zod';

export const CONVERSATION_ID = z.uuid({ error: 'must be a conversation id (a UUID)' });
/** A client's idempotency key: printable, at most 64 characters (a UUID fits). */
export const CLIENT_MSG_ID = z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'must be 1-64 printable ASCII characters without spaces');
const SEQ = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const DEFAULT_MAX_TEXT_CHARS = 4000;
export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 200;

export function coreClientFrames(maxTextChars = DEFAULT_MAX_TEXT_CHARS) {
  return {
    send: z
      .object({
        type: z.literal('send'),
        conversationId: CONVERSATION_ID.optional(),
        clientMsgId: CLIENT_MSG_ID,
        text: z.string().min(1, 'must not be empty').max(maxTextChars, `must be at most ${maxTextChars} characters`),
      })
      .strict(),
    resume: z.object({ type: z.literal('resume'), conversationId: CONVERSATION_ID, afterSeq: SEQ }).strict(),
    ack: z.object({ type: z.literal('ack'), conversationId: CONVERSATION_ID, seq: SEQ }).strict(),
    history: z
      .object({
        type: z.literal('history'),
        conversationId: CONVERSATION_ID,
        /** Entries before this seq; absent: the newest. */
        beforeSeq: SEQ.optional(),
        limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT).optional(),
      })
      .strict(),
  } as const;
}

type CoreSchemas = ReturnType<typeof coreClientFrames>;
export type SendFrame = z.infer<CoreSchemas['send']>;
export type ResumeFrame = z.infer<CoreSchemas['resume']>;
export type AckFrame = z.infer<CoreSchemas['ack']>;
export type HistoryFrame = z.infer<CoreSchemas['history']>;
export type CoreClientFrame = SendFrame | ResumeFrame | AckFrame | HistoryFrame;

/** Any decoded client frame: a core frame, or an extra frame type (its fields checked by its own schema). */
export interface ClientFrame {
  readonly type: string;
  readonly [field: string]: unknown;
}
