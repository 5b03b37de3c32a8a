// The view store interface (one for Redis and memory) and the composed view's text format both implement.
import type { RowOp } from './project-change.ts';
import type { ViewDefinition } from './view-definition.ts';

/** A view a batch changed: its new version, whether it still exists, and which operations changed it. */
export interface TouchedView {
  readonly id: string;
  readonly version: number;
  /** True when its root row is gone (the view no longer exists). */
  readonly deleted: boolean;
  /** Indexes (into the operations given to apply) of the operations that changed this view. */
  readonly ops: readonly number[];
}

/** How far a source's changes have been applied: the source time reached, and when it was applied (ms since epoch). */
export interface Watermark {
  readonly tsMs: number;
  readonly appliedAtMs: number;
}

export interface ViewStore {
  readonly definition: ViewDefinition;
  /**
   * Applies the operations in order, atomically per call, and gives every view they touched a new version. A row
   * version whose position is not newer than the stored one changes nothing (replays, duplicates, older versions).
   * Views are composed when next read (and kept until they change again): a view changed a hundred times between
   * two reads is composed once.
   */
  apply(tenant: string, ops: readonly RowOp[]): Promise<TouchedView[]>;
  /** The views' texts (see parseViewDoc), in the order asked; null where none exists. */
  read(tenant: string, ids: readonly string[]): Promise<Array<string | null>>;
  /** Moves a source's watermark forward (never back). */
  advanceWatermark(tenant: string, source: string, mark: Watermark): Promise<void>;
  watermarks(tenant: string): Promise<Record<string, Watermark>>;
  /** Reads a view and its watermarks in one round trip where the store can (the GraphQL read path). */
  readWithWatermarks(tenant: string, ids: readonly string[]): Promise<{ docs: Array<string | null>; watermarks: Record<string, Watermark> }>;
  /** Every view id of a tenant (rebuild and full comparisons); streams in pages. */
  ids(tenant: string): AsyncIterable<string[]>;
  /** Removes every view and row of a tenant (rebuild from scratch). */
  clear(tenant: string): Promise<void>;
  close(): Promise<void>;
}

/** A composed view, parsed. */
export interface StoredView {
  readonly id: string;
  readonly version: number;
  /** The root record (the CRM contact). */
  readonly root: Readonly<Record<string, unknown>>;
  /** Part name → records (orders with their child lists, tickets). */
  readonly parts: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>;
  /** Source → source time (ms) of the newest change applied to this view. */
  readonly sources: Readonly<Record<string, number>>;
}

export function parseViewDoc(text: string): StoredView {
  return JSON.parse(text) as StoredView;
}

/** The Lua script's spec argument: what the composition needs from the definition. */
export function compositionSpec(def: ViewDefinition): string {
  return JSON.stringify({ parts: def.parts.map((p) => ({ name: p.name, link: p.link, children: p.children.map((c) => c.name) })) });
}

/** Where every view key starts unless a store is given another prefix. */
export const DEFAULT_KEY_PREFIX = 'unics:view:';

/** Key prefix of one view of one tenant. Tenant names are validated by the auth layer (no ':' inside). */
export const keyPrefix = (def: ViewDefinition, tenant: string, base: string = DEFAULT_KEY_PREFIX) => `${base}${def.name}:${tenant}:`;
