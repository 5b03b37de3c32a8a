import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chatErr } from '../error-catalogue.ts';
import { createFrameCodec } from './frame-codec.ts';

const codec = createFrameCodec({ maxFrameBytes: 1024, maxTextChars: 20 });
const CID = '0b7c2f7e-8a55-4c57-9c3e-0d5b0c1f2a3b';
const decode = (value: unknown) => codec.decode(typeof value === 'string' ? value : JSON.stringify(value), false);
const failure = (value: unknown) => {
  const result = decode(value);
  if (result.ok) throw new Error(`expected a failure for ${JSON.stringify(value)}`);
  return { code: result.error.code, message: result.error.message, ref: result.ref };
};

describe('chat frame codec', () => {
  it('decodes the core frames', () => {
    expect(decode({ type: 'send', clientMsgId: 'm1', text: 'hi' })).toEqual({ ok: true, frame: { type: 'send', clientMsgId: 'm1', text: 'hi' } });
    expect(decode({ type: 'send', conversationId: CID, clientMsgId: 'm1', text: 'hi' })).toMatchObject({ ok: true });
    expect(decode({ type: 'resume', conversationId: CID, afterSeq: 0 })).toMatchObject({ ok: true, frame: { afterSeq: 0 } });
    expect(decode({ type: 'ack', conversationId: CID, seq: 12 })).toMatchObject({ ok: true });
    expect(decode({ type: 'history', conversationId: CID, beforeSeq: 40, limit: 20 })).toMatchObject({ ok: true });
    // Buffers as ws hands them over.
    expect(codec.decode(Buffer.from(JSON.stringify({ type: 'ack', conversationId: CID, seq: 1 })), false)).toMatchObject({ ok: true });
    expect(codec.decode([Buffer.from('{"type":"ack",'), Buffer.from(`"conversationId":"${CID}","seq":1}`)], false)).toMatchObject({ ok: true });
  });

  it('refuses garbage with CHAT_ERR_BAD_FRAME and says what a frame must be', () => {
    expect(failure('{not json')).toEqual({ code: 'CHAT_ERR_BAD_FRAME', message: 'the frame is not valid JSON; send a JSON object such as {"type": "send", …}', ref: undefined });
    expect(failure('[1,2]').message).toBe('a frame must be a JSON object with a "type", but got an array');
    expect(failure('null').message).toBe('a frame must be a JSON object with a "type", but got null');
    expect(failure('42').message).toBe('a frame must be a JSON object with a "type", but got a number');
    expect(failure({ text: 'x' }).message).toBe('the frame has no "type" string; it must be one of send, resume, ack, history');
    expect(codec.decode(Buffer.from([1, 2, 3]), true)).toMatchObject({ ok: false, error: { code: 'CHAT_ERR_BAD_FRAME', message: 'frames must be JSON text, but a binary frame arrived' } });
  });

  it('names the field at fault, and echoes the clientMsgId as ref', () => {
    expect(failure({ type: 'send', clientMsgId: 'm1', text: '' })).toEqual({ code: 'CHAT_ERR_BAD_FRAME', message: 'send frame: text must not be empty', ref: 'm1' });
    expect(failure({ type: 'send', clientMsgId: 'm2', text: 'x'.repeat(21) }).message).toBe('send frame: text must be at most 20 characters');
    expect(failure({ type: 'send', conversationId: 'nope', clientMsgId: 'm3', text: 'x' }).message).toBe('send frame: conversationId must be a conversation id (a UUID)');
    expect(failure({ type: 'send', text: 'x' }).message).toMatch(/^send frame: clientMsgId expected string/);
    expect(failure({ type: 'resume', conversationId: CID, afterSeq: -1 }).message).toMatch(/^resume frame: afterSeq/);
    expect(failure({ type: 'ack', conversationId: CID, seq: 1.5 }).message).toMatch(/^ack frame: seq expected int/);
    expect(failure({ type: 'ack', conversationId: CID, seq: 1, admin: true }).message).toBe('ack frame: unknown field "admin"');
    expect(failure({ type: 'send', clientMsgId: 'has space', text: 'x' }).message).toBe('send frame: clientMsgId must be 1-64 printable ASCII characters without spaces');
  });

  it('refuses unknown types with CHAT_ERR_UNKNOWN_TYPE listing the known ones', () => {
    expect(failure({ type: 'subscribe', clientMsgId: 'z' })).toEqual({
      code: 'CHAT_ERR_UNKNOWN_TYPE',
      message: 'unknown frame type "subscribe"; the server accepts send, resume, ack, history',
      ref: 'z',
    });
    expect(failure({ type: 'x'.repeat(1000) }).message).toBe(`unknown frame type "${'x'.repeat(40)}…"; the server accepts send, resume, ack, history`);
  });

  it('drops frames over the size limit before parsing them', () => {
    const big = JSON.stringify({ type: 'send', clientMsgId: 'm', text: 'x'.repeat(2000) });
    const result = codec.decode(Buffer.from(big), false);
    expect(result).toMatchObject({ ok: false, error: { code: 'CHAT_ERR_FRAME_TOO_LARGE' } });
    if (!result.ok) expect(chatErr.CHAT_ERR_FRAME_TOO_LARGE.is(result.error)).toBe(true);
    expect(codec.decode('x'.repeat(1025), false)).toMatchObject({ ok: false, error: { code: 'CHAT_ERR_FRAME_TOO_LARGE' } });
  });

  it('accepts extra frame types (the routing module\'s) and refuses redefining a core one', () => {
    const typing = z.object({ type: z.literal('typing'), conversationId: z.uuid() }).strict();
    const extended = createFrameCodec({ extraFrames: { typing } });
    expect(extended.types).toEqual(['send', 'resume', 'ack', 'history', 'typing']);
    expect(extended.decode(JSON.stringify({ type: 'typing', conversationId: CID }), false)).toMatchObject({ ok: true, frame: { type: 'typing' } });
    expect(() => createFrameCodec({ extraFrames: { send: typing } })).toThrow('chat frame codec: frame type "send" is already defined');
  });

  it('encodes frames as compact JSON', () => {
    expect(codec.encode({ type: 'error', code: 'CHAT_ERR_BAD_FRAME', message: 'x' } as { type: string })).toBe('{"type":"error","code":"CHAT_ERR_BAD_FRAME","message":"x"}');
  });
});
