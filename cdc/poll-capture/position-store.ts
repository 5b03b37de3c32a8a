// Where a poll capture keeps its position between runs (STYLE.md 1: one small interface). The capture saves a
// position only after everything before it was acknowledged by Kafka, so a crash re-produces and never skips.
import type { Redis } from 'ioredis';

export interface PositionStore {
  /** The saved position, or null when there is none (the capture then starts with an initial load). */
  load(): Promise<string | null>;
  save(position: string): Promise<void>;
}

/** A position kept in memory: it survives a stop and start of the capture, not a restart of the process. */
export function createMemoryPositionStore(initial: string | null = null): PositionStore {
  let position = initial;
  return {
    load: async () => position,
    async save(next) {
      position = next;
    },
  };
}

export interface RedisPositionStoreOptions {
  /** The Redis key, e.g. "unics:capture:crm:position". The caller owns the client and closes it. */
  readonly key: string;
}

/** A position in one Redis string key (GET / SET, no expiry), shared by every instance that runs the capture. */
export function createRedisPositionStore(redis: Pick<Redis, 'get' | 'set'>, options: RedisPositionStoreOptions): PositionStore {
  const { key } = options;
  if (key.trim() === '') throw new TypeError('createRedisPositionStore: key must be a non-empty string like "unics:capture:crm:position"');
  return {
    load: () => redis.get(key),
    async save(position) {
      await redis.set(key, position);
    },
  };
}
