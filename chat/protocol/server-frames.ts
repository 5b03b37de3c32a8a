// The frames the server sends (DESIGN.md): message, event, error; plus history (the answer to a history frame).
// Built from the store's entries here, so every path (live, resume, history) sends the same shape.
import { toPublicError } from '../../common/errors.ts';
import type { ChatEntry, Participant } from '../store/chat-store.ts';

export interface MessageFrame {
  readonly type: 'message';
  readonly conversationId: string;
  readonly seq: number;
  readonly clientMsgId?: string;
  readonly from: Participant;
  readonly text: string;
  readonly at: string;
  /** Only on the answer to a re-sent clientMsgId: this is the original, stored earlier (it may repeat a seq). */
  readonly duplicate?: true;
  /** Its sender retracted it (history and resume; live clients hear a `retracted` frame): the text is empty. */
  readonly retracted?: { readonly by: Participant; readonly at: string };
}

export interface EventFrame {
  readonly type: 'event';
  readonly conversationId: string;
  readonly seq: number;
  readonly kind: string;
  readonly data: unknown;
  readonly at: string;
}

export interface ErrorFrame {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
  /** The clientMsgId of the send this answers, when there is one. */
  readonly ref?: string;
  readonly conversationId?: string;
}

export interface HistoryResultFrame {
  readonly type: 'history';
  readonly conversationId: string;
  readonly entries: ReadonlyArray<MessageFrame | EventFrame>;
  readonly hasMore: boolean;
}

export type EntryFrame = MessageFrame | EventFrame;
export type CoreServerFrame = EntryFrame | ErrorFrame | HistoryResultFrame;

export function entryFrame(entry: ChatEntry): EntryFrame {
  if (entry.kind === 'event') {
    return { type: 'event', conversationId: entry.conversationId, seq: entry.seq, kind: entry.eventKind, data: entry.data, at: entry.at };
  }
  const base = { type: 'message' as const, conversationId: entry.conversationId, seq: entry.seq };
  const frame: MessageFrame =
    entry.clientMsgId === undefined
      ? { ...base, from: entry.from, text: entry.text, at: entry.at }
      : { ...base, clientMsgId: entry.clientMsgId, from: entry.from, text: entry.text, at: entry.at };
  return entry.retracted === undefined ? frame : { ...frame, retracted: entry.retracted };
}

/** An error frame for any error: catalogued ones keep code and message, others become "Unexpected error". */
export function errorFrame(err: unknown, context: { readonly ref?: string; readonly conversationId?: string } = {}): ErrorFrame {
  const pub = toPublicError(err);
  return {
    type: 'error',
    code: pub.code,
    message: pub.message,
    ...(context.ref !== undefined ? { ref: context.ref } : {}),
    ...(context.conversationId !== undefined ? { conversationId: context.conversationId } : {}),
  };
}
