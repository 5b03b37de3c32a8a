// Reading one answer of the CRM's change endpoint (pure): GET /contacts?updated_since=…|cursor=…&limit=… answers
// {items, next_cursor, has_more}, items ordered by (updatedAt, id). Anything else is CONN_ERR_MALFORMED_RESPONSE.
import { checkProgress, describeValue, malformed, toChangeRecord, type SourcePage } from './source-page.ts';

export function readCrmChangePage(text: string, source: string, where: string): SourcePage {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    const start = text.trim().slice(0, 60);
    throw malformed(source, where, `expected JSON {items, next_cursor, has_more}, but got ${text.trim() === '' ? 'an empty body' : `invalid JSON (${(err as Error).message}) starting with ${JSON.stringify(start)}`}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw malformed(source, where, `expected a JSON object {items, next_cursor, has_more}, but got ${describeValue(body)}`);
  }
  const { items, next_cursor: cursor, has_more: hasMore } = body as { items?: unknown; next_cursor?: unknown; has_more?: unknown };
  if (!Array.isArray(items)) throw malformed(source, where, `expected "items" to be a list, but got ${describeValue(items)}`);
  if (typeof cursor !== 'string' || cursor === '') throw malformed(source, where, `expected "next_cursor" to be a non-empty string, but got ${describeValue(cursor)}`);
  if (typeof hasMore !== 'boolean') throw malformed(source, where, `expected "has_more" to be true or false, but got ${describeValue(hasMore)}`);
  const records = items.map((item, i) => toChangeRecord(item, i, source, where));
  return checkProgress({ records, cursor, hasMore }, source, where);
}
