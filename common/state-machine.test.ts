import { describe, expect, it } from 'vitest';
import { commonErrors } from './error-catalogue.ts';
import { createStateMachine } from './state-machine.ts';

const session = () =>
  createStateMachine({
    name: 'chat session s1',
    initial: 'connecting',
    transitions: { connecting: ['open', 'closed'], open: ['draining', 'closed'], draining: ['closed'], closed: [] },
  });

describe('createStateMachine', () => {
  it('starts in the initial state and follows allowed transitions, returning the state it left', () => {
    const machine = session();
    expect(machine.state).toBe('connecting');
    expect(machine.transition('open')).toBe('connecting');
    expect(machine.state).toBe('open');
    machine.transition('draining');
    machine.transition('closed');
    expect(machine.state).toBe('closed');
  });

  it('can() tells whether a transition is allowed from the current state', () => {
    const machine = session();
    expect(machine.can('open')).toBe(true);
    expect(machine.can('draining')).toBe(false);
    expect(machine.can('connecting')).toBe(false);
  });

  it('throws COMMON_ERR_INVALID_TRANSITION naming both states and the allowed ones, and stays put', () => {
    const machine = session();
    let caught: unknown;
    try {
      machine.transition('draining');
    } catch (err) {
      caught = err;
    }
    expect(commonErrors.errors.COMMON_ERR_INVALID_TRANSITION.is(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      'chat session s1: cannot go from "connecting" to "draining"; from "connecting" it can go to "open", "closed"',
    );
    expect((caught as { details: unknown }).details).toEqual({ machine: 'chat session s1', from: 'connecting', to: 'draining' });
    expect(machine.state).toBe('connecting');
  });

  it('treats a state without outgoing transitions as final', () => {
    const machine = session();
    machine.transition('closed');
    expect(machine.can('open')).toBe(false);
    expect(() => machine.transition('open')).toThrow(
      'chat session s1: cannot go from "closed" to "open"; "closed" is a final state',
    );
  });

  it('refuses, at creation, a table built at run time whose initial state or targets are not states', () => {
    const table = { running: ['stopped'], stopped: [] } as Record<string, string[]>;
    expect(() => createStateMachine<string>({ name: 'consumer', initial: 'idle', transitions: table })).toThrow(
      'consumer: initial state "idle" is not a state (states: "running", "stopped"). Add it as a key.',
    );
    expect(() =>
      createStateMachine<string>({ name: 'consumer', initial: 'running', transitions: { running: ['stoped'] } }),
    ).toThrow('consumer: "running" may go to "stoped", which is not a state (states: "running"). Add "stoped" as a key.');
    expect(() =>
      createStateMachine<string>({ name: 'consumer', initial: 'a', transitions: { a: 'b' as unknown as string[] } }),
    ).toThrow('consumer: transitions.a must be an array of states (or [] if final), but got string');
  });

  it('is not affected by later changes to the table it was given', () => {
    const transitions: Record<string, string[]> = { a: ['b'], b: [], c: [] };
    const machine = createStateMachine<string>({ initial: 'a', transitions });
    transitions.a?.push('c');
    expect(machine.can('c')).toBe(false);
    expect(() => machine.transition('c')).toThrow('state machine: cannot go from "a" to "c"');
  });

  it('allows a self-transition only when the table lists it', () => {
    const retrying = createStateMachine({ initial: 'retrying', transitions: { retrying: ['retrying', 'done'], done: [] } });
    expect(retrying.transition('retrying')).toBe('retrying');
    const plain = createStateMachine({ initial: 'a', transitions: { a: ['b'], b: [] } });
    expect(plain.can('a')).toBe(false);
  });

  it('infers the states from the table, so a misspelt state fails to compile', () => {
    const machine = session();
    // @ts-expect-error "opne" is not a state of this machine
    expect(() => machine.transition('opne')).toThrow('cannot go from "connecting" to "opne"');
    // @ts-expect-error a target that is not a key is a compile error
    expect(() => createStateMachine({ initial: 'a', transitions: { a: ['b'] } })).toThrow('"b", which is not a state');
  });
});
