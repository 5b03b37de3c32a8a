// The helpdesk as a ChangeSource (the I/O shell): the GraphQL query ticketsUpdatedSince(since, first, after) POSTed
// over the shared HTTP client. Tickets are produced exactly as the API returns them. The helpdesk has no delete feed.
import { systemClock, type Clock } from '../../common/clock.ts';
import { redactUrlCredentials } from '../../common/redact.ts';
import { createUpstreamAuth } from '../../connectors/http/create-upstream-auth.ts';
import { createHttpClient } from '../../connectors/http/http-client.ts';
import type { AuthConfig, UpstreamAuth } from '../../connectors/http/upstream-auth.ts';
import type { ChangePage, ChangeSource } from './change-source.ts';
import { helpdeskChangeRequest, readHelpdeskChangePage } from './helpdesk-change-page.ts';
import { advanceWatermark, readWatermark, writeWatermark } from './watermark-position.ts';

export interface HelpdeskChangeSourceOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:7003/graphql. */
  readonly url: string;
  /** Default none. An UpstreamAuth (kept open by its owner), or an auth config (then this source owns it). */
  readonly auth?: UpstreamAuth | AuthConfig;
  /** For messages and logs. Default "helpdesk". */
  readonly name?: string;
  /** Extra re-read window (ms) before the newest stamp seen; see ChangeSource.overlapMs. Default 0. */
  readonly overlapMs?: number;
  /** Largest answer read (bytes). Default 8 MiB. */
  readonly maxResponseBytes?: number;
  readonly clock?: Clock;
}

export function createHelpdeskChangeSource(options: HelpdeskChangeSourceOptions): ChangeSource {
  const name = options.name ?? 'helpdesk';
  const overlapMs = options.overlapMs ?? 0;
  const given = options.auth;
  const ownedAuth = given === undefined || typeof (given as UpstreamAuth).headers === 'function'
    ? undefined
    : createUpstreamAuth(given as AuthConfig, { connector: name, clock: options.clock ?? systemClock });
  const auth = ownedAuth ?? (given as UpstreamAuth | undefined);
  const client = createHttpClient({
    connector: name,
    baseUrl: options.url,
    connections: 2,
    ...(auth === undefined ? {} : { auth }),
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
  });
  const shownUrl = redactUrlCredentials(options.url);

  return {
    system: 'helpdesk',
    table: 'tickets',
    overlapMs,
    async fetchChanges(position, signal, limit): Promise<ChangePage> {
      const from = readWatermark(position, name);
      const res = await client.send({
        method: 'POST',
        path: options.url,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: helpdeskChangeRequest(new Date(from.sinceMs).toISOString(), Math.max(1, limit), from.cursor),
        signal,
      });
      const page = readHelpdeskChangePage(res, name, shownUrl, from.cursor);
      const next = advanceWatermark(from, { stampsMs: page.records.map((r) => r.updatedAtMs), cursor: page.cursor, hasMore: page.hasMore }, overlapMs);
      return { records: page.records, next: writeWatermark(next), hasMore: page.hasMore, windowStartMs: from.sinceMs };
    },
    async close() {
      await client.close();
      await ownedAuth?.close();
    },
  };
}
