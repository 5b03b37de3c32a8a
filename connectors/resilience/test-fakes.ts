// Fakes for the resilience tests: a raw Connector at the network edge (STYLE.md 14) that records every call and
// answers through a function the test supplies, and a deferred promise to hold an answer until the test releases it.
import type { BatchResult, CallContext, CommandInfo, Connector, EntityInfo, KeyResult } from '../connector.ts';
import { notFound, ok } from '../connector.ts';

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface RecordedLoad {
  readonly entity: string;
  readonly keys: readonly string[];
  readonly ctx: CallContext;
}

export interface RecordedCall {
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly ctx: CallContext;
}

export interface FakeConnectorOptions {
  readonly name?: string;
  readonly entities?: ReadonlyArray<Partial<EntityInfo> & { name: string }>;
  readonly commands?: readonly CommandInfo[];
  /** Default: every key found, with value `${entity}:${key}`. */
  readonly load?: (entity: string, keys: readonly string[], ctx: CallContext) => Promise<BatchResult>;
  readonly call?: (command: string, input: Readonly<Record<string, unknown>>, ctx: CallContext) => Promise<unknown>;
  readonly check?: (signal: AbortSignal) => Promise<void>;
}

export interface FakeConnector extends Connector {
  readonly loads: RecordedLoad[];
  readonly calls: RecordedCall[];
  closed: boolean;
}

/** Answers every key: gives `${entity}:${key}` for each, except the keys listed as missing. */
export function answer(entity: string, keys: readonly string[], missing: readonly string[] = []): BatchResult {
  const out = new Map<string, KeyResult>();
  for (const key of keys) out.set(key, missing.includes(key) ? notFound : ok(`${entity}:${key}`));
  return out;
}

export function createFakeConnector(options: FakeConnectorOptions = {}): FakeConnector {
  const entities = new Map<string, EntityInfo>(
    (options.entities ?? [{ name: 'Contact' }]).map((e) => [e.name, { many: false, maxBatchSize: 100, ...e }]),
  );
  const commands = new Map<string, CommandInfo>((options.commands ?? []).map((c) => [c.name, c]));
  const fake: FakeConnector = {
    name: options.name ?? 'crm',
    kind: 'fake',
    entities,
    commands,
    loads: [],
    calls: [],
    closed: false,
    load(entity, keys, ctx) {
      fake.loads.push({ entity, keys: [...keys], ctx });
      return options.load ? options.load(entity, keys, ctx) : Promise.resolve(answer(entity, keys));
    },
    call(command, input, ctx) {
      fake.calls.push({ command, input, ctx });
      return options.call ? options.call(command, input, ctx) : Promise.resolve({ ok: true });
    },
    check: (signal) => (options.check ? options.check(signal) : Promise.resolve()),
    async close() {
      fake.closed = true;
    },
  };
  return fake;
}

export const ctxFor = (tenant = 'acme', signal: AbortSignal = new AbortController().signal): CallContext => ({ tenant, signal });
