// Rebuilding views from snapshots of their sources, while the pipeline keeps running and reads keep being answered.
// Every snapshot row is applied as a read ("r") at the position its snapshot was taken, with the snapshot flag, so
// the store's versioning decides between it and streamed changes exactly as it does for Debezium's own snapshots: a
// change committed after the snapshot wins, one before it loses. Rebuilding twice changes nothing the second time.
import type { ChangeEvent } from '../cdc/decode-change-event.ts';
import { projectChange, ProjectionError, type RowOp } from './project-change.ts';
import { indexTables, type ViewDefinition } from './view-definition.ts';
import type { TouchedView, ViewStore } from './view-store.ts';

/** One table's snapshot: its rows as read events, in pages. */
export interface SnapshotSource {
  /** `schema.table` as the view definition names it. */
  readonly table: string;
  /** Rows it will yield, when known before reading (for the progress bar). */
  count(): Promise<number | null>;
  pages(): AsyncIterable<readonly ChangeEvent[]>;
}

export interface RebuildProgress {
  readonly table: string;
  readonly done: number;
  readonly total: number | null;
}

export interface RebuildReport {
  readonly rows: number;
  /** Views written (a view touched by several pages counts each time). */
  readonly viewWrites: number;
  readonly rejected: ReadonlyArray<{ table: string; reason: string }>;
  readonly ms: number;
}

export interface RebuildOptions {
  readonly store: ViewStore;
  readonly definition: ViewDefinition;
  readonly tenant: string;
  /** Parts first, the root last, so each view is composed once its rows are in (any order is correct, this is fewer writes). */
  readonly sources: readonly SnapshotSource[];
  /** Drop the tenant's views first: reads fall back to live until each view is back. Default false. */
  readonly clear?: boolean;
  readonly onProgress?: (p: RebuildProgress) => void;
  /** Called with the views each page rewrote (e.g. to republish them to the changefeed topic). */
  readonly onViews?: (views: readonly TouchedView[]) => Promise<void>;
  readonly now?: () => number;
  readonly signal?: AbortSignal;
}

export async function rebuildViews(opts: RebuildOptions): Promise<RebuildReport> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const tables = indexTables(opts.definition);
  for (const s of opts.sources) {
    if (!tables.has(s.table)) throw new TypeError(`rebuild: the view ${opts.definition.name} does not read ${s.table} (it reads ${[...tables.keys()].join(', ')})`);
  }
  if (opts.clear) await opts.store.clear(opts.tenant);
  let rows = 0;
  let viewWrites = 0;
  const rejected: Array<{ table: string; reason: string }> = [];
  for (const source of opts.sources) {
    const role = tables.get(source.table)!;
    const total = await source.count();
    let done = 0;
    opts.onProgress?.({ table: source.table, done, total });
    for await (const page of source.pages()) {
      opts.signal?.throwIfAborted();
      const ops: RowOp[] = [];
      for (const event of page) {
        try {
          ops.push(projectChange(role, event));
        } catch (err) {
          if (!(err instanceof ProjectionError)) throw err;
          rejected.push({ table: source.table, reason: err.message });
        }
      }
      const composed = await opts.store.apply(opts.tenant, ops);
      viewWrites += composed.length;
      if (composed.length > 0) await opts.onViews?.(composed);
      done += page.length;
      rows += page.length;
      opts.onProgress?.({ table: source.table, done, total });
    }
  }
  return { rows, viewWrites, rejected, ms: now() - t0 };
}
