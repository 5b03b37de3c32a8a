// Secret redaction for logs: one pass over plain objects and arrays at any depth, matching key names rather than
// fixed paths, because a secret nested in a logged config or upstream response is as dangerous at depth five as at
// depth one. Keys are compared lower-cased with "-" and "_" removed, so clientSecret, client_secret and
// CLIENT-SECRET are the same key.

export const REDACTED = '[redacted]';

/** Keys whose normalized name ends with one of these are secrets: dbPassword, webhookSecret, accessToken, xApiKey. */
const SECRET_SUFFIXES = ['password', 'passwd', 'secret', 'token', 'apikey', 'privatekey', 'passphrase', 'credentials'];
/** Keys that are secrets only when they match exactly (as suffixes they would hit innocent names). */
const SECRET_KEYS = new Set(['authorization', 'proxyauthorization', 'cookie', 'setcookie', 'pwd', 'jwt', 'sessionid']);
/** Keys whose string values are URLs or connection strings: keep them, minus any embedded password. */
const URL_SUFFIXES = ['url', 'uri', 'dsn', 'connectionstring'];

const MAX_DEPTH = 12;

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

export interface SecretMatcher {
  isSecret(key: string): boolean;
  isUrl(key: string): boolean;
}

/** Builds a matcher from the built-in rules plus extra exact key names (compared normalized). */
export function createSecretMatcher(extraKeys: readonly string[] = []): SecretMatcher {
  const exact = new Set([...SECRET_KEYS, ...extraKeys.map(normalizeKey)]);
  const cache = new Map<string, 'secret' | 'url' | 'plain'>();
  const classify = (key: string) => {
    let kind = cache.get(key);
    if (kind === undefined) {
      const k = normalizeKey(key);
      if (exact.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s))) kind = 'secret';
      else kind = URL_SUFFIXES.some((s) => k.endsWith(s)) ? 'url' : 'plain';
      // Key names come from code, not data, so the cache stays small; the cap guards against logging a map keyed by ids.
      if (cache.size < 10_000) cache.set(key, kind);
    }
    return kind;
  };
  return { isSecret: (key) => classify(key) === 'secret', isUrl: (key) => classify(key) === 'url' };
}

/** Replaces the password in every `scheme://user:password@` inside text: postgres://u:p@h/db -> postgres://u:[redacted]@h/db. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('@')) return text;
  // Greedy up to the last "@" before the path, so a password with an unescaped "@" is hidden whole.
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/]+@/gi, `$1${REDACTED}@`);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Returns value with secrets replaced by "[redacted]". Copies only the objects on the way to a secret; when nothing
 * is redacted the same reference comes back, so the common case allocates nothing. Class instances other than
 * errors and URLs (sockets, requests, buffers, dates) are left alone: walking a request's socket on every log line
 * would cost more than the line, and serializers decide how those look.
 * `serializeError` turns an Error into a plain object first so its own fields (details, cause) are redacted too.
 */
export function redactSecrets(
  value: unknown,
  matcher: SecretMatcher,
  serializeError: (err: Error) => Record<string, unknown> = (err) => ({ ...err, message: err.message }),
): unknown {
  const ancestors = new Set<object>();

  const visit = (v: unknown, depth: number): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    // The original of a cycle or of a too-deep branch may hold secrets this pass has not replaced: never return it.
    if (ancestors.has(v)) return '[Circular]';
    if (depth > MAX_DEPTH) return '[Too deep]';
    if (v instanceof Error) {
      const plain = serializeError(v);
      for (const key of ['message', 'stack'] as const) {
        if (typeof plain[key] === 'string') plain[key] = redactUrlCredentials(plain[key]);
      }
      return visit(plain, depth);
    }
    // A URL serializes to its href, password included.
    if (v instanceof URL) return v.password === '' ? v : redactUrlCredentials(v.href);
    if (!Array.isArray(v) && !isPlainObject(v)) return v;
    ancestors.add(v);
    let copy: Record<string, unknown> | unknown[] | undefined;
    const set = (key: string | number, next: unknown) => {
      copy ??= Array.isArray(v) ? [...(v as unknown[])] : { ...(v as Record<string, unknown>) };
      (copy as Record<string | number, unknown>)[key] = next;
    };
    if (Array.isArray(v)) {
      v.forEach((item: unknown, i) => {
        const next = visit(item, depth + 1);
        if (next !== item) set(i, next);
      });
    } else {
      for (const key of Object.keys(v)) {
        const item = v[key];
        let next: unknown;
        if (item === undefined || item === null) continue;
        if (matcher.isSecret(key)) next = REDACTED;
        else if (typeof item === 'string') next = matcher.isUrl(key) ? redactUrlCredentials(item) : item;
        else next = visit(item, depth + 1);
        if (next !== item) set(key, next);
      }
    }
    ancestors.delete(v);
    return copy ?? v;
  };

  return visit(value, 0);
}
