import { describe, expect, it } from 'vitest';
import { createLifecycle, createLogger, systemClock } from '../common/index.ts';
import { Registry } from 'prom-client';
import { createMemoryChangeFeed } from '../schema/index.ts';
import { loadConfig } from './config.ts';
import { startViews, topicPattern, viewsEnabled } from './start-views.ts';

describe('views wiring', () => {
  it('reads "/…/" topics as regular expressions and anything else as names', () => {
    expect(topicPattern('/^unics\\.shop\\./')).toEqual(/^unics\.shop\./);
    expect(topicPattern('/orders/i')).toEqual(/orders/i);
    expect(topicPattern('unics.crm.contacts')).toBe('unics.crm.contacts');
  });

  it('turns views on by default only when both Kafka and Redis are configured', () => {
    expect(viewsEnabled(loadConfig({}))).toBe(false);
    expect(viewsEnabled(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe(false);
    expect(viewsEnabled(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', KAFKA_BROKERS: '127.0.0.1:9092' }))).toBe(true);
  });

  it('says what is missing when views are switched on without Redis', async () => {
    const base = loadConfig({});
    const config = { ...base, views: { ...base.views, enabled: true } };
    const log = createLogger({ level: 'silent' });
    const deps = { log, clock: systemClock, metrics: new Registry(), changeFeed: createMemoryChangeFeed(), lifecycle: createLifecycle({ log, clock: systemClock }) };
    await expect(startViews(config, deps)).rejects.toMatchObject({ code: 'COMMON_ERR_CONFIG_INVALID', message: expect.stringMatching(/services\.redisUrl/) });
  });
});
