// A chat connection's life as data (STYLE.md 9): the state is one string field on the connection record and the
// table below says where it may go. Kept as a plain table, not a state-machine object per socket, so 15,000 idle
// connections carry one string each.
import { commonErrors } from '../../common/error-catalogue.ts';

export type ConnectionState = 'open' | 'closing' | 'closed';

/** open → closing (we asked the client to go: shutdown, slow consumer) → closed; open → closed (the client left). */
export const CONNECTION_TRANSITIONS: { readonly [S in ConnectionState]: readonly ConnectionState[] } = Object.freeze({
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
});

export function canTransition(from: ConnectionState, to: ConnectionState): boolean {
  return CONNECTION_TRANSITIONS[from].includes(to);
}

/** The state after `from → to`, or COMMON_ERR_INVALID_TRANSITION naming both states. */
export function nextConnectionState(from: ConnectionState, to: ConnectionState, name = 'chat connection'): ConnectionState {
  if (!canTransition(from, to)) {
    const allowed = CONNECTION_TRANSITIONS[from];
    const options = allowed.length === 0 ? `"${from}" is a final state` : `from "${from}" it can go to ${allowed.map((s) => `"${s}"`).join(', ')}`;
    throw commonErrors.errors.COMMON_ERR_INVALID_TRANSITION(`${name}: cannot go from "${from}" to "${to}"; ${options}`, { details: { machine: name, from, to } });
  }
  return to;
}
