import { describe, expect, it, vi } from 'vitest';
import { createEmitter } from './typed-events.ts';

interface ChatEvents {
  'chat.message_stored': { conversationId: string; seq: number };
  'chat.closed': undefined;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createEmitter', () => {
  it('delivers payloads to listeners in subscription order', () => {
    const emitter = createEmitter<ChatEvents>();
    const calls: string[] = [];
    emitter.on('chat.message_stored', (p) => void calls.push(`a:${p.seq}`));
    emitter.on('chat.message_stored', (p) => void calls.push(`b:${p.seq}`));
    emitter.emit('chat.message_stored', { conversationId: 'c1', seq: 7 });
    expect(calls).toEqual(['a:7', 'b:7']);
  });

  it('emits events without payload when the payload type is undefined', () => {
    const emitter = createEmitter<ChatEvents>();
    const fn = vi.fn();
    emitter.on('chat.closed', fn);
    emitter.emit('chat.closed');
    expect(fn).toHaveBeenCalledWith(undefined);
  });

  it('on returns an unsubscribe that removes only its own subscription, and is idempotent', () => {
    const emitter = createEmitter<ChatEvents>();
    const fn = vi.fn();
    const off1 = emitter.on('chat.closed', fn);
    emitter.on('chat.closed', fn);
    expect(emitter.listenerCount('chat.closed')).toBe(2);
    off1();
    off1();
    emitter.emit('chat.closed');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('chat.closed')).toBe(1);
  });

  it('once fires a single time, even when the listener re-emits the same event', () => {
    const emitter = createEmitter<ChatEvents>();
    const fn = vi.fn(() => emitter.emit('chat.closed'));
    emitter.once('chat.closed', fn);
    emitter.emit('chat.closed');
    emitter.emit('chat.closed');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('chat.closed')).toBe(0);
  });

  it('once can be cancelled before it fires', () => {
    const emitter = createEmitter<ChatEvents>();
    const fn = vi.fn();
    const off = emitter.once('chat.closed', fn);
    off();
    emitter.emit('chat.closed');
    expect(fn).not.toHaveBeenCalled();
  });

  it('a throwing listener is reported and does not stop the others or the emitter', () => {
    const onListenerError = vi.fn();
    const emitter = createEmitter<ChatEvents>({ onListenerError });
    const boom = new Error('metrics exploded');
    const after = vi.fn();
    emitter.on('chat.closed', () => {
      throw boom;
    });
    emitter.on('chat.closed', after);
    expect(() => emitter.emit('chat.closed')).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
    expect(onListenerError).toHaveBeenCalledWith(boom, 'chat.closed');
    emitter.emit('chat.closed');
    expect(after).toHaveBeenCalledTimes(2);
  });

  it('a rejecting async listener is reported instead of becoming an unhandled rejection', async () => {
    const onListenerError = vi.fn();
    const emitter = createEmitter<ChatEvents>({ onListenerError });
    emitter.on('chat.message_stored', async () => {
      throw new Error('log sink down');
    });
    emitter.emit('chat.message_stored', { conversationId: 'c1', seq: 1 });
    await flush();
    expect(onListenerError).toHaveBeenCalledWith(expect.objectContaining({ message: 'log sink down' }), 'chat.message_stored');
  });

  it('survives an error hook that throws', () => {
    const emitter = createEmitter<ChatEvents>({
      onListenerError: () => {
        throw new Error('hook broken');
      },
    });
    const after = vi.fn();
    emitter.on('chat.closed', () => {
      throw new Error('listener broken');
    });
    emitter.on('chat.closed', after);
    expect(() => emitter.emit('chat.closed')).not.toThrow();
    expect(after).toHaveBeenCalled();
  });

  it('reports listener failures as a process warning when no hook is given', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const emitter = createEmitter<ChatEvents>();
      emitter.on('chat.closed', () => {
        throw new Error('nobody listening');
      });
      emitter.emit('chat.closed');
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener for "chat.closed" failed: Error: nobody listening'), {
        type: 'UnicsListenerError',
      });
    } finally {
      warn.mockRestore();
    }
  });

  it('a listener added during an emit hears the next emit, not the current one', () => {
    const emitter = createEmitter<ChatEvents>();
    const late = vi.fn();
    emitter.on('chat.closed', () => void emitter.on('chat.closed', late));
    emitter.emit('chat.closed');
    expect(late).not.toHaveBeenCalled();
    emitter.emit('chat.closed');
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('a listener removed during an emit is not called afterwards, not even in that emit', () => {
    const emitter = createEmitter<ChatEvents>();
    const second = vi.fn();
    let offSecond = () => {};
    emitter.on('chat.closed', () => offSecond());
    offSecond = emitter.on('chat.closed', second);
    emitter.emit('chat.closed');
    expect(second).not.toHaveBeenCalled();
  });

  it('rejects a listener that is not a function, naming the event', () => {
    const emitter = createEmitter<ChatEvents>();
    expect(() => emitter.on('chat.closed', undefined as unknown as () => void)).toThrow(
      'listener for "chat.closed" must be a function, but got undefined',
    );
  });

  it('emitting an event nobody listens to is a no-op', () => {
    const emitter = createEmitter<ChatEvents>();
    expect(() => emitter.emit('chat.message_stored', { conversationId: 'c', seq: 1 })).not.toThrow();
    expect(emitter.listenerCount('chat.message_stored')).toBe(0);
  });

  it('checks event names and payloads at compile time', () => {
    const emitter = createEmitter<ChatEvents>();
    const fn = vi.fn();
    emitter.on('chat.message_stored', fn);
    // @ts-expect-error seq must be a number
    emitter.emit('chat.message_stored', { conversationId: 'c', seq: '1' });
    // @ts-expect-error the payload is required for this event
    emitter.emit('chat.message_stored');
    // @ts-expect-error unknown event name
    emitter.on('chat.mesage_stored', fn);
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
