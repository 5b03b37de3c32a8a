// The helpdesk's change query and reading its answer (pure). ticketsUpdatedSince(since, first, after) pages tickets
// with updatedAt >= since in (updatedAt, id) order. The selection is exactly the ticket's own fields, so `after` in
// the envelope is the ticket as the API returns it ({id, userId, subject, status, priority, createdAt, updatedAt}).
import { readGraphqlAnswer, upstreamGraphqlError } from '../../connectors/graphql/graphql-response.ts';
import { checkProgress, describeValue, malformed, toChangeRecord, type SourcePage } from './source-page.ts';

export const TICKETS_UPDATED_SINCE_QUERY =
  'query UnicsPollTickets($since: String!, $first: Int!, $after: String) { ' +
  'ticketsUpdatedSince(since: $since, first: $first, after: $after) { ' +
  'edges { node { id userId subject status priority createdAt updatedAt } } pageInfo { hasNextPage endCursor } } }';

/** The largest `first` the helpdesk accepts. */
export const HELPDESK_MAX_PAGE_SIZE = 500;

export function helpdeskChangeRequest(sinceIso: string, first: number, after: string | undefined): string {
  return JSON.stringify({
    query: TICKETS_UPDATED_SINCE_QUERY,
    operationName: 'UnicsPollTickets',
    variables: { since: sinceIso, first: Math.min(first, HELPDESK_MAX_PAGE_SIZE), after: after ?? null },
  });
}

/**
 * Reads an HTTP answer to the change query. HTTP errors map like every GraphQL connector's (5xx: CONN_ERR_UNAVAILABLE);
 * GraphQL errors: CONN_ERR_UPSTREAM_GRAPHQL; a body without the connection's shape: CONN_ERR_MALFORMED_RESPONSE.
 * `previousCursor` stands in for endCursor when a page is empty (the API then answers the `after` it was given).
 */
export function readHelpdeskChangePage(
  res: { readonly status: number; text(): string },
  source: string,
  url: string,
  previousCursor: string | undefined,
): SourcePage {
  const where = `ticketsUpdatedSince from ${url}`;
  const answer = readGraphqlAnswer(source, res, url, 'ticketsUpdatedSince');
  if (answer.errors.length > 0) throw upstreamGraphqlError(source, 'the helpdesk answered ticketsUpdatedSince with errors', answer.errors);
  const connection = answer.data?.ticketsUpdatedSince;
  if (connection === null || typeof connection !== 'object' || Array.isArray(connection)) {
    throw malformed(source, where, `expected data.ticketsUpdatedSince to be an object {edges, pageInfo}, but got ${describeValue(connection)}`);
  }
  const { edges, pageInfo } = connection as { edges?: unknown; pageInfo?: unknown };
  if (!Array.isArray(edges)) throw malformed(source, where, `expected "edges" to be a list, but got ${describeValue(edges)}`);
  if (pageInfo === null || typeof pageInfo !== 'object' || Array.isArray(pageInfo)) {
    throw malformed(source, where, `expected "pageInfo" to be an object, but got ${describeValue(pageInfo)}`);
  }
  const { hasNextPage, endCursor } = pageInfo as { hasNextPage?: unknown; endCursor?: unknown };
  if (typeof hasNextPage !== 'boolean') throw malformed(source, where, `expected pageInfo.hasNextPage to be true or false, but got ${describeValue(hasNextPage)}`);
  if (endCursor !== null && (typeof endCursor !== 'string' || endCursor === '')) {
    throw malformed(source, where, `expected pageInfo.endCursor to be a non-empty string or null, but got ${describeValue(endCursor)}`);
  }
  const records = edges.map((edge, i) => {
    const node = edge !== null && typeof edge === 'object' && !Array.isArray(edge) ? (edge as { node?: unknown }).node : edge;
    return toChangeRecord(node, i, source, where);
  });
  const cursor = endCursor ?? previousCursor;
  if (cursor === undefined && records.length > 0) throw malformed(source, where, 'expected pageInfo.endCursor after a non-empty page, but got null');
  return checkProgress({ records, cursor: cursor ?? '', hasMore: hasNextPage }, source, where);
}
