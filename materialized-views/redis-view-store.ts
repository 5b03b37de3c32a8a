// The Redis view store (ioredis): every batch of row operations is applied by one Lua script (redis-view-store.lua),
// so rows are never half-updated and two pipeline instances never interleave inside a call; the views it touched are
// composed by a second script when next read (redis-view-compose.lua: a GET per view, composing only those that
// changed since), with the watermarks in the same round trip. Needs a standalone Redis (or Sentinel): the scripts
// touch keys they compute, which Redis Cluster does not allow.
import { readFileSync } from 'node:fs';
import type { ClientContext, Redis, Result } from 'ioredis';
import type { RowOp } from './project-change.ts';
import type { ViewDefinition } from './view-definition.ts';
import { compositionSpec, keyPrefix as prefixOf, type TouchedView, type ViewStore, type Watermark } from './view-store.ts';

const APPLY_SCRIPT = readFileSync(new URL('./redis-view-store.lua', import.meta.url), 'utf8');
const COMPOSE_SCRIPT = readFileSync(new URL('./redis-view-compose.lua', import.meta.url), 'utf8');

// Moves a watermark forward only: KEYS[1] the hash, ARGV source, tsMs, appliedAtMs.
const ADVANCE_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local ts = tonumber(string.match(cur, '^(%d+)'))
  if ts and ts >= tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
return 1`;

export interface RedisViewStoreOptions {
  readonly redis: Redis;
  readonly definition: ViewDefinition;
  /** Most row operations per script call: bounds how long one call holds Redis (reads wait meanwhile). Default 100. */
  readonly maxOpsPerCall?: number;
  /** Where the store's keys start. Default "unics:view:". */
  readonly keyPrefix?: string;
}

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    unicsViewApply(...args: string[]): Result<Array<string | number>, Context>;
    unicsViewCompose(...args: string[]): Result<string[], Context>;
    unicsViewAdvance(key: string, source: string, tsMs: string, appliedAtMs: string): Result<number, Context>;
  }
}

function opArgs(op: RowOp): string[] {
  const head = [op.target === 'root' ? 'r' : op.target === 'part' ? 'p' : 'c', op.id, op.pos, op.source, op.tsMs === null ? '' : String(op.tsMs), op.record === null ? '1' : '0', op.record ?? '', op.keep.length > 0 ? JSON.stringify(op.keep) : ''];
  switch (op.target) {
    case 'root':
      return [...head, op.record === null ? '' : JSON.stringify(op.links), '', '', ''];
    case 'part':
      return [...head, op.part, op.link ?? '', '', ''];
    case 'child':
      return [...head, op.part, op.child, op.parentId, op.fromParentId ?? ''];
  }
}

function parseWatermarks(flat: Record<string, string>): Record<string, Watermark> {
  const out: Record<string, Watermark> = {};
  for (const [source, value] of Object.entries(flat)) {
    const [ts, at] = value.split(':');
    const tsMs = Number(ts);
    const appliedAtMs = Number(at);
    if (Number.isFinite(tsMs) && Number.isFinite(appliedAtMs)) out[source] = { tsMs, appliedAtMs };
  }
  return out;
}

export function createRedisViewStore(options: RedisViewStoreOptions): ViewStore {
  const { redis, definition } = options;
  const maxOps = options.maxOpsPerCall ?? 100;
  const spec = compositionSpec(definition);
  const base = options.keyPrefix;
  const keyPrefix = (def: ViewDefinition, tenant: string) => prefixOf(def, tenant, base);
  if (typeof (redis as Partial<Redis>).unicsViewApply !== 'function') {
    redis.defineCommand('unicsViewApply', { numberOfKeys: 0, lua: APPLY_SCRIPT });
    redis.defineCommand('unicsViewCompose', { numberOfKeys: 0, lua: COMPOSE_SCRIPT });
    redis.defineCommand('unicsViewAdvance', { numberOfKeys: 1, lua: ADVANCE_SCRIPT });
  }

  const decodeTouched = (flat: Array<string | number>, offset: number, into: Map<string, TouchedView>) => {
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const id = String(flat[i]);
      const ops = String(flat[i + 3]).split(',').map((x) => Number(x) + offset);
      // A view touched by several calls of one batch: the last version wins, and it names every operation.
      const earlier = into.get(id)?.ops ?? [];
      into.set(id, { id, version: Number(flat[i + 1]), deleted: String(flat[i + 2]) === '1', ops: [...earlier, ...ops] });
    }
  };
  const docsOf = (texts: readonly string[]) => texts.map((t) => (t === '' ? null : t));

  return {
    definition,
    async apply(tenant, ops) {
      const prefix = keyPrefix(definition, tenant);
      const touched = new Map<string, TouchedView>();
      if (ops.length === 0) return [];
      const pipeline = redis.pipeline();
      for (let i = 0; i < ops.length; i += maxOps) {
        pipeline.unicsViewApply(prefix, spec, JSON.stringify(ops.slice(i, i + maxOps).map(opArgs)));
      }
      const results = (await pipeline.exec()) ?? [];
      results.forEach(([err, value], call) => {
        if (err) throw err;
        decodeTouched(value as Array<string | number>, call * maxOps, touched);
      });
      return [...touched.values()];
    },
    async read(tenant, ids) {
      if (ids.length === 0) return [];
      return docsOf(await redis.unicsViewCompose(keyPrefix(definition, tenant), spec, ...ids));
    },
    async advanceWatermark(tenant, source, mark) {
      await redis.unicsViewAdvance(`${keyPrefix(definition, tenant)}wm`, source, String(Math.trunc(mark.tsMs)), String(Math.trunc(mark.appliedAtMs)));
    },
    async watermarks(tenant) {
      return parseWatermarks(await redis.hgetall(`${keyPrefix(definition, tenant)}wm`));
    },
    async readWithWatermarks(tenant, ids) {
      const prefix = keyPrefix(definition, tenant);
      const pipeline = redis.pipeline();
      if (ids.length > 0) pipeline.unicsViewCompose(prefix, spec, ...ids);
      pipeline.hgetall(`${prefix}wm`);
      const results = (await pipeline.exec()) ?? [];
      for (const [err] of results) if (err) throw err;
      const docs = ids.length > 0 ? docsOf(results[0]![1] as string[]) : [];
      const wm = results[results.length - 1]![1] as Record<string, string>;
      return { docs, watermarks: parseWatermarks(wm) };
    },
    async *ids(tenant) {
      const prefix = keyPrefix(definition, tenant);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}r:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length === 0) continue;
        // Root rows stay as tombstones after a delete: list only views that exist.
        const pipeline = redis.pipeline();
        for (const k of keys) pipeline.hexists(k, 'rec');
        const found = (await pipeline.exec()) ?? [];
        const ids = keys.filter((_, i) => found[i]?.[1] === 1).map((k) => k.slice(prefix.length + 2));
        if (ids.length > 0) yield ids;
      } while (cursor !== '0');
    },
    async clear(tenant) {
      const prefix = keyPrefix(definition, tenant);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    },
    async close() {
      // The caller owns the connection (it may share it); nothing of ours to release.
    },
  };
}
