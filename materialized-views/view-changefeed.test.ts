// The pub/sub changefeed's message format: one message per tenant and applied batch (a JSON array of notices), a
// single notice object still read, anything else counted as malformed. The Redis connections are stand-ins that
// record what is published and replay it to the subscriber; the real pub/sub path is test/views-graphql.int.test.ts.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { ViewChange } from './create-view-pipeline.ts';
import { customer360 } from './customer-360.ts';
import { changeChannel, createRedisChangePublisher, subscribeViewChanges, type ViewChangeNotice } from './view-changefeed.ts';

const change = (tenant: string, customerId: string, version: number): ViewChange => ({
  tenant, customerId, version, deleted: false, appliedAtMs: 1_000, sourceTsMs: 900,
  reasons: [{ kind: 'order.paid', subject: 'O1', text: 'order O1 paid', source: 'shop' }],
});

function fakeSubscriber() {
  const emitter = new EventEmitter();
  const patterns: string[] = [];
  const sub = Object.assign(emitter, {
    psubscribe: async (p: string) => void patterns.push(p),
    punsubscribe: async () => {},
  });
  return { sub: sub as unknown as Redis, patterns, send: (channel: string, message: string) => emitter.emit('pmessage', patterns[0], channel, message) };
}

describe('view changefeed over Redis pub/sub', () => {
  it('publishes one message per tenant and batch, which subscribers read as one notice per view', async () => {
    const published: Array<[string, string]> = [];
    const publisher = { publish: async (channel: string, message: string) => void published.push([channel, message]), pipeline: () => {
      const queued: Array<[string, string]> = [];
      const p = { publish: (c: string, m: string) => (queued.push([c, m]), p), exec: async () => queued.map(([c, m]) => (published.push([c, m]), [null, 1])) };
      return p;
    } } as unknown as Redis;
    const sink = createRedisChangePublisher(publisher, customer360);
    await sink.publish([change('a', 'C1', 3), change('a', 'C2', 7), change('b', 'C9', 1)]);
    expect(published.map(([c]) => c)).toEqual([changeChannel(customer360, 'a'), changeChannel(customer360, 'b')]);

    const { sub, send } = fakeSubscriber();
    const notices: ViewChangeNotice[] = [];
    const malformed: string[] = [];
    await subscribeViewChanges(sub, customer360, (n) => notices.push(n), (m) => malformed.push(m));
    for (const [channel, message] of published) send(channel, message);
    expect(notices.map((n) => `${n.tenant}/${n.customerId}@${n.version}`)).toEqual(['a/C1@3', 'a/C2@7', 'b/C9@1']);
    expect(notices[0]?.reasons[0]?.kind).toBe('order.paid');
    expect(malformed).toEqual([]);
  });

  it('still reads a single notice, and counts non-JSON, empty arrays and arrays with a bad entry as malformed', async () => {
    const { sub, send } = fakeSubscriber();
    const notices: ViewChangeNotice[] = [];
    const malformed: string[] = [];
    await subscribeViewChanges(sub, customer360, (n) => notices.push(n), (m) => malformed.push(m));
    const one = JSON.stringify({ ...change('a', 'C1', 2) });
    send('x', one);
    send('x', 'not json');
    send('x', '[]');
    send('x', JSON.stringify([change('a', 'C2', 1), { tenant: 'a' }]));
    expect(notices.map((n) => n.customerId)).toEqual(['C1']);
    expect(malformed).toHaveLength(3);
  });
});
