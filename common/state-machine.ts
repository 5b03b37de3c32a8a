// State machines are data (STYLE.md 9): one state variable and a transition table. An illegal transition throws
// COMMON_ERR_INVALID_TRANSITION naming both states and what the table allows, so a bug report says exactly which
// edge is missing or which caller is wrong (kafkajs transaction state machine).
import { commonErrors } from './error-catalogue.ts';

export interface StateMachineOptions<S extends string> {
  /** What the machine belongs to, for messages: "chat session C000001", "consumer unics-views". */
  readonly name?: string;
  readonly initial: NoInfer<S>;
  /**
   * Every state is a key, mapped to the states it may go to; a final state maps to []. The states are inferred from
   * the keys, so a misspelt target fails to compile.
   */
  readonly transitions: { readonly [K in S]: readonly NoInfer<S>[] };
}

export interface StateMachine<S extends string> {
  readonly state: S;
  /** Whether transition(to) would succeed from the current state. */
  can(to: S): boolean;
  /** Moves to `to`, or throws COMMON_ERR_INVALID_TRANSITION and stays put. Returns the state it left. */
  transition(to: S): S;
}

const quoteList = (states: readonly string[]) => states.map((s) => `"${s}"`).join(', ');

export function createStateMachine<const S extends string>(options: StateMachineOptions<S>): StateMachine<S> {
  const label = options.name ?? 'state machine';
  // Copied and frozen so a caller mutating its table afterwards cannot change the rules under a running machine.
  const table = new Map<string, ReadonlySet<string>>();
  for (const [from, targets] of Object.entries(options.transitions) as Array<[string, unknown]>) {
    if (!Array.isArray(targets)) {
      throw new TypeError(`${label}: transitions.${from} must be an array of states (or [] if final), but got ${typeof targets}`);
    }
    table.set(from, new Set(targets as string[]));
  }
  // The types already enforce this; the checks catch tables built at run time or cast.
  const states = quoteList([...table.keys()]);
  for (const [from, targets] of table) {
    for (const to of targets) {
      if (!table.has(to)) {
        throw new TypeError(`${label}: "${from}" may go to "${to}", which is not a state (states: ${states}). Add "${to}" as a key.`);
      }
    }
  }
  if (!table.has(options.initial)) {
    throw new TypeError(`${label}: initial state "${options.initial}" is not a state (states: ${states}). Add it as a key.`);
  }

  let state: S = options.initial;
  return {
    get state() {
      return state;
    },
    can: (to) => table.get(state)?.has(to) ?? false,
    transition(to) {
      const allowed = table.get(state);
      if (allowed?.has(to) !== true) {
        const options =
          allowed === undefined || allowed.size === 0
            ? `"${state}" is a final state`
            : `from "${state}" it can go to ${quoteList([...allowed])}`;
        throw commonErrors.errors.COMMON_ERR_INVALID_TRANSITION(
          `${label}: cannot go from "${state}" to "${to}"; ${options}`,
          { details: { machine: label, from: state, to } },
        );
      }
      const from = state;
      state = to;
      return from;
    },
  };
}
