// The CRM as a ChangeSource (the I/O shell): GET /contacts?updated_since=…&limit=… (or ?cursor=…) over the shared
// HTTP client, authenticated with the CRM's OAuth2 client credentials (one refresh on a 401). Contacts are
// produced exactly as the CRM sends them (camelCase). The CRM has no delete feed: deleted contacts are not seen.
import { systemClock, type Clock } from '../../common/clock.ts';
import { redactUrlCredentials } from '../../common/redact.ts';
import { createUpstreamAuth } from '../../connectors/http/create-upstream-auth.ts';
import { createHttpClient, resolveUrl, statusError } from '../../connectors/http/http-client.ts';
import type { AuthConfig, UpstreamAuth } from '../../connectors/http/upstream-auth.ts';
import type { ChangePage, ChangeSource } from './change-source.ts';
import { readCrmChangePage } from './crm-change-page.ts';
import { advanceWatermark, readWatermark, writeWatermark } from './watermark-position.ts';

export interface CrmChangeSourceOptions {
  /** The CRM's API root, e.g. http://127.0.0.1:7001/api/v1 (the same `endpoint` as the rest connector's). */
  readonly baseUrl: string;
  /** An UpstreamAuth (kept open by its owner), or an auth config (then this source owns and closes it). */
  readonly auth: UpstreamAuth | AuthConfig;
  /** For messages and logs. Default "crm". */
  readonly name?: string;
  /** Extra re-read window (ms) before the newest stamp seen; see ChangeSource.overlapMs. Default 0. */
  readonly overlapMs?: number;
  /** Largest answer read (bytes). Default 8 MiB (a 1,000-contact page is ~350 KB). */
  readonly maxResponseBytes?: number;
  /** For OAuth2 token expiry. Default the system clock. */
  readonly clock?: Clock;
}

/** The CRM's largest change page (its `limit` is 1–1000). */
export const CRM_MAX_PAGE_SIZE = 1000;

function isUpstreamAuth(auth: UpstreamAuth | AuthConfig): auth is UpstreamAuth {
  return typeof (auth as UpstreamAuth).headers === 'function';
}

export function createCrmChangeSource(options: CrmChangeSourceOptions): ChangeSource {
  const name = options.name ?? 'crm';
  const overlapMs = options.overlapMs ?? 0;
  const ownedAuth = isUpstreamAuth(options.auth) ? undefined : createUpstreamAuth(options.auth, { connector: name, clock: options.clock ?? systemClock });
  const auth = ownedAuth ?? (options.auth as UpstreamAuth);
  const client = createHttpClient({
    connector: name,
    baseUrl: options.baseUrl,
    auth,
    connections: 2,
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
  });
  const url = resolveUrl(options.baseUrl, '/contacts');
  const shownUrl = redactUrlCredentials(`${url.origin}${url.pathname}`);

  return {
    system: 'crm',
    table: 'contacts',
    overlapMs,
    async fetchChanges(position, signal, limit): Promise<ChangePage> {
      const from = readWatermark(position, name);
      const pageSize = String(Math.max(1, Math.min(limit, CRM_MAX_PAGE_SIZE)));
      const query = from.cursor === undefined ? { updated_since: new Date(from.sinceMs).toISOString(), limit: pageSize } : { cursor: from.cursor, limit: pageSize };
      const res = await client.send({ method: 'GET', path: '/contacts', query, headers: { accept: 'application/json' }, signal });
      if (res.status < 200 || res.status >= 300) throw statusError(name, res, shownUrl);
      const page = readCrmChangePage(res.text(), name, `GET ${shownUrl}`);
      const next = advanceWatermark(from, { stampsMs: page.records.map((r) => r.updatedAtMs), cursor: page.cursor, hasMore: page.hasMore }, overlapMs);
      return { records: page.records, next: writeWatermark(next), hasMore: page.hasMore, windowStartMs: from.sinceMs };
    },
    async close() {
      await client.close();
      await ownedAuth?.close();
    },
  };
}
