// The testkit must catch broken connectors, not only pass good ones: each check is run against an in-memory
// connector with one specific bug (the upstream is faked here; it is the network edge).
import { describe, expect, it } from 'vitest';
import { alignByKey, type BatchResult, type Connector, type EntityInfo } from '../connector.ts';
import { connErr } from '../error-catalogue.ts';
import {
  checkCancellation,
  checkDescription,
  checkErrorMapping,
  checkKeyAlignment,
  checkMissingKeys,
  type ContractSubject,
  type UpstreamMode,
} from './contract-checks.ts';

const records = [
  { id: 'A', name: 'alpha' },
  { id: 'B', name: 'beta' },
  { id: 'C', name: 'gamma' },
];

type Bug = 'none' | 'positional' | 'drops-missing' | 'raw-error' | 'ignores-abort' | 'missing-as-error';

function fakeConnector(bug: Bug, state: { mode: UpstreamMode }): Connector {
  const entity: EntityInfo = { name: 'thing', many: false, maxBatchSize: 100 };
  return {
    name: 'fake',
    kind: 'fake',
    entities: new Map([['thing', entity]]),
    commands: new Map(),
    async load(_e, keys, ctx) {
      if (state.mode === 'failing') {
        if (bug === 'raw-error') throw new TypeError('socket hang up');
        throw connErr.CONN_ERR_UNAVAILABLE('fake upstream is down');
      }
      if (state.mode === 'hanging') {
        if (bug === 'ignores-abort') return new Promise<BatchResult>(() => {});
        return new Promise<BatchResult>((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
      }
      const found = records.filter((r) => keys.includes(r.id));
      if (bug === 'positional') {
        // The classic bug: zip the upstream's rows (in its own order) with the requested keys.
        const sorted = [...found].sort((a, b) => a.id.localeCompare(b.id));
        return new Map(keys.map((k, i) => [k, sorted[i] ? { status: 'ok' as const, value: sorted[i] } : { status: 'not_found' as const }]));
      }
      const aligned = alignByKey(keys, found, (r) => r.id, false);
      if (bug === 'drops-missing') for (const k of keys) if (aligned.get(k)?.status === 'not_found') aligned.delete(k);
      if (bug === 'missing-as-error') for (const k of keys) if (aligned.get(k)?.status === 'not_found') aligned.set(k, { status: 'error', error: connErr.CONN_ERR_NOT_FOUND(k) });
      return aligned;
    },
    async call() {
      throw connErr.CONN_ERR_UNKNOWN_ENTITY('no commands');
    },
    async check() {},
    async close() {},
  };
}

function subjectWith(bug: Bug): ContractSubject {
  const state = { mode: 'healthy' as UpstreamMode };
  return {
    connector: fakeConnector(bug, state),
    entity: 'thing',
    existingKeys: ['C', 'A'],
    missingKeys: ['Z'],
    setUpstream: (mode) => void (state.mode = mode),
    close: async () => {},
  };
}

describe('connector contract checks', () => {
  it('pass a correct connector', async () => {
    const s = subjectWith('none');
    checkDescription(s);
    await checkKeyAlignment(s);
    await checkMissingKeys(s);
    await checkErrorMapping(s);
    await checkCancellation(s, { abortAfterMs: 20, settleWithinMs: 500 });
  });

  it('catch results matched by position instead of by key', async () => {
    await expect(checkKeyAlignment(subjectWith('positional'))).rejects.toThrow(/matched by key, not by position|should load/);
  });

  it('catch keys left out of the answer', async () => {
    await expect(checkKeyAlignment(subjectWith('drops-missing'))).rejects.toThrow('load() must answer every requested key, but left out: Z');
  });

  it('catch a missing key reported as an error', async () => {
    await expect(checkMissingKeys(subjectWith('missing-as-error'))).rejects.toThrow('missing key Z should be not_found, but got error CONN_ERR_NOT_FOUND');
  });

  it('catch raw, uncatalogued errors', async () => {
    await expect(checkErrorMapping(subjectWith('raw-error'))).rejects.toThrow('a failing upstream must give a catalogued CONN_ERR_* error, but load() rejected with TypeError: socket hang up');
  });

  it('catch a connector that ignores its AbortSignal', async () => {
    await expect(checkCancellation(subjectWith('ignores-abort'), { abortAfterMs: 20, settleWithinMs: 200 })).rejects.toThrow('load() ignored its AbortSignal');
  });

  it('catch an upstream request left open after an abort', async () => {
    const s = { ...subjectWith('none'), openUpstreamRequests: () => 1 };
    await expect(checkCancellation(s, { abortAfterMs: 20, settleWithinMs: 200 })).rejects.toThrow('the upstream still has 1 open request(s)');
  });
});
