// The connector contract, as checks any connector can be put through (integrators run them on their own
// connectors with runConnectorContract). Each check throws an Error saying what the contract expects and what the
// connector did; they run against a live upstream the subject controls.
import { isUnicsError } from '../../common/errors.ts';
import type { BatchResult, Connector, KeyResult } from '../connector.ts';

export type UpstreamMode = 'healthy' | 'failing' | 'hanging';

export interface ContractSubject {
  /** The connector under test (raw or wrapped with resilience). */
  readonly connector: Connector;
  /** The entity to load. */
  readonly entity: string;
  /** At least two keys the upstream knows. */
  readonly existingKeys: readonly string[];
  /** At least one key the upstream does not know. */
  readonly missingKeys: readonly string[];
  /** Makes the upstream answer normally, fail with server errors, or accept requests and never answer. */
  setUpstream(mode: UpstreamMode): unknown;
  /** Optional: upstream requests currently open, to prove that an aborted call really closed its request. */
  openUpstreamRequests?(): number | Promise<number>;
  close(): Promise<unknown>;
}

const ctx = (signal: AbortSignal) => ({ tenant: 'contract-test', signal });

function fail(what: string): never {
  throw new Error(`connector contract: ${what}`);
}

function describe(result: KeyResult | undefined): string {
  if (!result) return 'no entry';
  return result.status === 'error' ? `error ${result.error.code}` : result.status;
}

async function load(subject: ContractSubject, keys: readonly string[], signal = AbortSignal.timeout(30_000)): Promise<BatchResult> {
  const result = await subject.connector.load(subject.entity, keys, ctx(signal));
  if (!(result instanceof Map)) fail(`load() must resolve to a Map keyed by the requested keys, but resolved to ${Object.prototype.toString.call(result)}`);
  return result;
}

/** Every requested key appears exactly once, no other keys appear, and the answer does not depend on key order. */
export async function checkKeyAlignment(subject: ContractSubject): Promise<void> {
  if (subject.existingKeys.length < 2) fail('the subject must name at least two existing keys');
  const keys = [...subject.existingKeys, ...subject.missingKeys];
  const forward = await load(subject, keys);
  const backward = await load(subject, [...keys].reverse());
  for (const result of [forward, backward]) {
    const extra = [...result.keys()].filter((k) => !keys.includes(k));
    if (extra.length > 0) fail(`load() answered keys that were not requested: ${extra.join(', ')}`);
    const absent = keys.filter((k) => !result.has(k));
    if (absent.length > 0) fail(`load() must answer every requested key, but left out: ${absent.join(', ')}`);
  }
  for (const key of keys) {
    const a = JSON.stringify(forward.get(key));
    const b = JSON.stringify(backward.get(key));
    if (a !== b) fail(`key ${key} got a different answer when the keys were requested in reverse order (results must be matched by key, not by position)`);
  }
  for (const key of subject.existingKeys) {
    const r = forward.get(key);
    if (r?.status !== 'ok') fail(`existing key ${key} should load, but got ${describe(r)}`);
  }
}

/** A key the upstream does not know is `not_found` (or an empty list for a `many` entity), never an error. */
export async function checkMissingKeys(subject: ContractSubject): Promise<void> {
  const many = subject.connector.entities.get(subject.entity)?.many ?? false;
  const result = await load(subject, [subject.existingKeys[0]!, ...subject.missingKeys]);
  for (const key of subject.missingKeys) {
    const r = result.get(key);
    if (many) {
      if (r?.status !== 'ok' || !Array.isArray(r.value) || r.value.length !== 0) fail(`missing key ${key} of a "many" entity should be an empty list, but got ${describe(r)}`);
    } else if (r?.status !== 'not_found') {
      fail(`missing key ${key} should be not_found, but got ${describe(r)}`);
    }
  }
}

/** A failing upstream gives catalogued CONN_ERR_* errors (as a rejection or as per-key values), never raw errors. */
export async function checkErrorMapping(subject: ContractSubject): Promise<void> {
  await subject.setUpstream('failing');
  try {
    let result: BatchResult | undefined;
    try {
      result = await load(subject, subject.existingKeys);
    } catch (err) {
      if (!isUnicsError(err) || !err.code.startsWith('CONN_ERR_')) {
        fail(`a failing upstream must give a catalogued CONN_ERR_* error, but load() rejected with ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
      return;
    }
    for (const key of subject.existingKeys) {
      const r = result.get(key);
      if (r?.status !== 'error' || !r.error.code.startsWith('CONN_ERR_')) fail(`a failing upstream must fail key ${key} with a CONN_ERR_* error, but got ${describe(r)}`);
    }
  } finally {
    await subject.setUpstream('healthy');
  }
}

/** An aborted call settles promptly with the abort reason (or CONN_ERR_ABORTED), and the upstream request is closed. */
export async function checkCancellation(subject: ContractSubject, { abortAfterMs = 100, settleWithinMs = 2_000 } = {}): Promise<void> {
  await subject.setUpstream('hanging');
  try {
    const controller = new AbortController();
    const reason = new Error('contract-test deadline');
    const timer = setTimeout(() => controller.abort(reason), abortAfterMs);
    const started = Date.now();
    let settled: unknown;
    try {
      const outcome = await Promise.race([
        subject.connector.load(subject.entity, subject.existingKeys, ctx(controller.signal)).then(
          (r) => ({ resolved: r }),
          (e: unknown) => ({ rejected: e }),
        ),
        new Promise<{ timedOut: true }>((r) => setTimeout(() => r({ timedOut: true }), abortAfterMs + settleWithinMs)),
      ]);
      if ('timedOut' in outcome) fail(`load() ignored its AbortSignal: still pending ${settleWithinMs} ms after the caller aborted`);
      settled = 'rejected' in outcome ? outcome.rejected : outcome.resolved;
    } finally {
      clearTimeout(timer);
    }
    const elapsed = Date.now() - started;
    if (settled instanceof Map) {
      for (const key of subject.existingKeys) {
        const r = (settled as BatchResult).get(key);
        if (r?.status !== 'error') fail(`an aborted load resolved key ${key} as ${describe(r)}; it should fail`);
      }
    } else if (!(settled === reason || (isUnicsError(settled) && settled.code.startsWith('CONN_ERR_')))) {
      fail(`an aborted load should reject with the abort reason or a CONN_ERR_* error, but got ${String(settled)}`);
    }
    if (subject.openUpstreamRequests) {
      const deadline = Date.now() + settleWithinMs;
      let open = await subject.openUpstreamRequests();
      while (open > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        open = await subject.openUpstreamRequests();
      }
      if (open > 0) fail(`the upstream still has ${open} open request(s) ${settleWithinMs} ms after the call was aborted; pass the AbortSignal down to the I/O`);
    }
    if (elapsed > abortAfterMs + settleWithinMs) fail(`an aborted load took ${elapsed} ms to settle`);
  } finally {
    await subject.setUpstream('healthy');
  }
}

/** The connector describes its entities sensibly. */
export function checkDescription(subject: ContractSubject): void {
  const { connector } = subject;
  if (!connector.name || !connector.kind) fail('a connector needs a name and a kind');
  const info = connector.entities.get(subject.entity);
  if (!info) fail(`entity "${subject.entity}" is not in connector.entities (${[...connector.entities.keys()].join(', ') || 'none'})`);
  if (info.name !== subject.entity) fail(`entities.get("${subject.entity}").name is "${info.name}"`);
  if (!Number.isInteger(info.maxBatchSize) || info.maxBatchSize < 1) fail(`entity "${subject.entity}" has maxBatchSize ${info.maxBatchSize}; it must be a positive whole number`);
}
