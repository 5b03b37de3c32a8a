// The per-request loader resolvers use (STYLE.md 11): a DataLoader created for one request, so its cache holds one
// request's answers only. Every load() in one tick becomes one connector.load with the distinct keys; answers are
// matched to keys by key, never by position (STYLE.md 2). ok -> the value, not_found -> null, a per-key error ->
// that key's promise rejects with its UnicsError while the other keys resolve.
import DataLoader from 'dataloader';
import type { UnicsError } from '../common/errors.ts';
import { missingKeyError } from './resilience/to-connector-error.ts';
import type { CallContext, Connector } from './connector.ts';
import { connErr } from './error-catalogue.ts';

export type EntityLoader = DataLoader<string, unknown>;

export function createEntityLoader(connector: Connector, entity: string, ctx: CallContext): EntityLoader {
  const info = connector.entities.get(entity);
  if (info === undefined) {
    const known = [...connector.entities.keys()].map((n) => JSON.stringify(n)).join(', ') || '(none)';
    throw connErr.CONN_ERR_UNKNOWN_ENTITY(`connector "${connector.name}" has no entity ${JSON.stringify(entity)}; it has ${known}`);
  }
  return new DataLoader<string, unknown>(
    async (keys) => {
      const answer = await connector.load(entity, [...new Set(keys)], ctx);
      return keys.map((key): unknown => {
        const result = answer.get(key);
        if (result === undefined) return missingKeyError(connector.name, entity, key);
        if (result.status === 'ok') return result.value;
        if (result.status === 'not_found') return null;
        return result.error satisfies UnicsError;
      });
    },
    { maxBatchSize: info.maxBatchSize, name: `${connector.name}.${entity}` },
  );
}
