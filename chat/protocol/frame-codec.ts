// The pure frame codec (STYLE.md 8): raw WebSocket data in, a checked frame or a catalogued error out. The size is
// checked before anything is parsed; a frame must be a JSON text object with a known `type`, and its fields are
// checked by that type's zod schema. Nothing here throws for bad input: the error comes back as a value, with the
// frame's clientMsgId as `ref` when it had one, so the client can tell which send failed.
import type { z } from 'zod';
import type { UnicsError } from '../../common/errors.ts';
import { chatErr } from '../error-catalogue.ts';
import { coreClientFrames, DEFAULT_MAX_TEXT_CHARS, type ClientFrame } from './client-frames.ts';

export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024;

export interface FrameCodecOptions {
  /** Largest frame decoded, in bytes. Default 16 KiB. */
  readonly maxFrameBytes?: number;
  /** Longest `send` text, in characters. Default 4000. */
  readonly maxTextChars?: number;
  /** More frame types (chat/routing's agent tools): type name → zod schema of the whole frame. */
  readonly extraFrames?: Readonly<Record<string, z.ZodType<ClientFrame>>>;
}

export type DecodeResult = { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false; readonly error: UnicsError; readonly ref?: string };

export interface FrameCodec {
  /** The frame types accepted. */
  readonly types: readonly string[];
  decode(data: Buffer | ArrayBuffer | Buffer[] | string, isBinary: boolean): DecodeResult;
  encode(frame: { readonly type: string }): string;
}

const byteLength = (data: Buffer | ArrayBuffer | Buffer[] | string) =>
  typeof data === 'string' ? Buffer.byteLength(data) : Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;

const toText = (data: Buffer | ArrayBuffer | Buffer[]) => (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8');

function describeIssues(type: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : '(frame)';
    if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    return `${field} ${issue.message.replace(/^Invalid input: /, '')}`;
  });
  return `${type} frame: ${parts.join('; ')}`;
}

export function createFrameCodec(options: FrameCodecOptions = {}): FrameCodec {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const schemas = new Map<string, z.ZodType<ClientFrame>>(Object.entries(coreClientFrames(options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS)));
  for (const [type, schema] of Object.entries(options.extraFrames ?? {})) {
    if (schemas.has(type)) throw new TypeError(`chat frame codec: frame type "${type}" is already defined`);
    schemas.set(type, schema);
  }
  const types = Object.freeze([...schemas.keys()]);

  return {
    types,
    decode(data, isBinary) {
      const size = byteLength(data);
      if (size > maxFrameBytes) {
        return { ok: false, error: chatErr.CHAT_ERR_FRAME_TOO_LARGE(`the frame has ${size} bytes, more than the limit of ${maxFrameBytes} bytes; it was dropped`) };
      }
      if (isBinary) return { ok: false, error: chatErr.CHAT_ERR_BAD_FRAME('frames must be JSON text, but a binary frame arrived') };
      let value: unknown;
      try {
        value = JSON.parse(typeof data === 'string' ? data : toText(data));
      } catch {
        return { ok: false, error: chatErr.CHAT_ERR_BAD_FRAME('the frame is not valid JSON; send a JSON object such as {"type": "send", …}') };
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { ok: false, error: chatErr.CHAT_ERR_BAD_FRAME(`a frame must be a JSON object with a "type", but got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}`) };
      }
      const record = value as Record<string, unknown>;
      const ref = typeof record.clientMsgId === 'string' && record.clientMsgId.length <= 64 ? record.clientMsgId : undefined;
      const withRef = (error: UnicsError): DecodeResult => (ref === undefined ? { ok: false, error } : { ok: false, error, ref });
      const type = record.type;
      if (typeof type !== 'string') return withRef(chatErr.CHAT_ERR_BAD_FRAME(`the frame has no "type" string; it must be one of ${types.join(', ')}`));
      const schema = schemas.get(type);
      if (schema === undefined) {
        const shown = type.length > 40 ? `${type.slice(0, 40)}…` : type;
        return withRef(chatErr.CHAT_ERR_UNKNOWN_TYPE(`unknown frame type ${JSON.stringify(shown)}; the server accepts ${types.join(', ')}`));
      }
      const parsed = schema.safeParse(record);
      if (!parsed.success) return withRef(chatErr.CHAT_ERR_BAD_FRAME(describeIssues(type, parsed.error)));
      return { ok: true, frame: parsed.data };
    },
    encode: (frame) => JSON.stringify(frame),
  };
}
