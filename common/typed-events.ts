// Typed events (STYLE.md 10): the core emits facts; metrics, logs and other modules subscribe. A listener that
// throws or rejects is reported and skipped: it cannot break the emitter, the emitting code, or other listeners.
// Event names follow `area.snake_case`, e.g. `cdc.event_applied`, `chat.message_stored`.

/** Maps each event name to its payload type; use a type alias or an interface. */
export type EventMap<Events> = { readonly [K in keyof Events]: unknown };
export type EventName<Events> = keyof Events & string;
export type Listener<P> = (payload: P) => void | Promise<void>;
export type Unsubscribe = () => void;
/** Events whose payload type admits undefined may be emitted without one. */
export type EmitArgs<P> = undefined extends P ? [payload?: P] : [payload: P];

export interface Emitter<Events extends EventMap<Events>> {
  /** Calls fn for every later emit of name. Returns a function that removes exactly this subscription. */
  on<K extends EventName<Events>>(name: K, fn: Listener<Events[K]>): Unsubscribe;
  /** Like on, but fn runs at most once. */
  once<K extends EventName<Events>>(name: K, fn: Listener<Events[K]>): Unsubscribe;
  /** Calls the listeners of name synchronously, in subscription order; never throws because of a listener. */
  emit<K extends EventName<Events>>(name: K, ...args: EmitArgs<Events[K]>): void;
  listenerCount(name: EventName<Events>): number;
}

export interface EmitterOptions {
  /**
   * Receives what a listener threw or rejected with. Default: a process warning, so the failure is visible but
   * the process keeps running. Errors thrown by this hook itself are ignored.
   */
  readonly onListenerError?: (error: unknown, event: string) => void;
}

interface Subscription {
  readonly fn: Listener<never>;
  readonly once: boolean;
  active: boolean;
}

function warnListenerError(error: unknown, event: string): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`listener for "${event}" failed: ${detail}`, { type: 'UnicsListenerError' });
}

export function createEmitter<Events extends EventMap<Events>>(options: EmitterOptions = {}): Emitter<Events> {
  const onListenerError = options.onListenerError ?? warnListenerError;
  // Copy-on-write lists: emit iterates the array it started with (never copying), so a listener added during an
  // emit first hears the next one; a listener removed during an emit is skipped through its `active` flag.
  const subscriptions = new Map<string, readonly Subscription[]>();

  const report = (error: unknown, event: string) => {
    try {
      onListenerError(error, event);
    } catch {
      // The error hook is the last line of defence; if it fails too there is nowhere left to report to.
    }
  };

  const remove = (name: string, sub: Subscription) => {
    if (!sub.active) return;
    sub.active = false;
    const rest = (subscriptions.get(name) ?? []).filter((s) => s !== sub);
    if (rest.length === 0) subscriptions.delete(name);
    else subscriptions.set(name, rest);
  };

  const add = (name: string, fn: Listener<never>, once: boolean): Unsubscribe => {
    if (typeof fn !== 'function') {
      throw new TypeError(`emitter: listener for "${name}" must be a function, but got ${typeof fn}`);
    }
    const sub: Subscription = { fn, once, active: true };
    subscriptions.set(name, [...(subscriptions.get(name) ?? []), sub]);
    return () => remove(name, sub);
  };

  return {
    on: (name, fn) => add(name, fn as Listener<never>, false),
    once: (name, fn) => add(name, fn as Listener<never>, true),
    emit(name, ...args) {
      const list = subscriptions.get(name);
      if (list === undefined) return;
      const payload = args[0];
      for (const sub of list) {
        if (!sub.active) continue;
        // A once listener is removed before the call, so an emit from inside it cannot run it twice.
        if (sub.once) remove(name, sub);
        try {
          const result = (sub.fn as Listener<unknown>)(payload);
          if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
            (result as Promise<void>).then(undefined, (error: unknown) => report(error, name));
          }
        } catch (error) {
          report(error, name);
        }
      }
    },
    listenerCount: (name) => subscriptions.get(name)?.length ?? 0,
  };
}
