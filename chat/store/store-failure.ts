// Which database failures mean "the store is unavailable, retry" (CHAT_ERR_UNAVAILABLE) rather than a bug.
import { isUnicsError } from '../../common/errors.ts';
import { chatErr } from '../error-catalogue.ts';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function isUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P (operator intervention: shutdown).
    if (/^(08|53|57P)/.test(code)) return true;
  }
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error|pool.*(ended|closed)/i.test(message);
}

/** Runs a store call; a database that cannot be reached becomes CHAT_ERR_UNAVAILABLE (with the cause kept). */
export async function mapStoreErrors<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isUnicsError(err) && isUnavailable(err)) throw chatErr.CHAT_ERR_UNAVAILABLE(`chat store: ${what} failed: the database is unavailable`, { cause: err });
    throw err;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Conversation ids are UUIDs; anything else cannot exist (and must not reach SQL as a uuid parameter). */
export const isConversationId = (id: string) => UUID.test(id);
