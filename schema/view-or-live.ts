// Where one part of a customer comes from: its materialized view when the view's part of that source trails the
// source by no more than the budget, otherwise a live, batched read through the request's loaders. Either way the
// caller gets the source's raw records and maps them with the same mappers, and the customer's freshness and the
// explain report learn which way it went.
import { fromSource } from './field-error.ts';
import type { FreshnessTracker } from './freshness-tracker.ts';
import type { RequestContext } from './request-context.ts';
import type { CustomerView, SourceRef, ViewSourceFreshness } from './schema-module.ts';

/** The customer whose part is read: its id (the view's key) and the tracker of its freshness. */
export interface PartOwner {
  readonly id: string;
  readonly freshness: FreshnessTracker;
}

/** The view's freshness of `source` when the part may be used within `budgetMs` (0: never); else undefined. */
export function freshPart(view: CustomerView | null, source: string, budgetMs: number): ViewSourceFreshness | undefined {
  if (view === null || budgetMs <= 0) return undefined;
  const freshness = view.freshness;
  if (freshness === null || typeof freshness !== 'object' || !Object.hasOwn(freshness, source)) return undefined;
  const part = freshness[source];
  if (part === null || typeof part !== 'object') return undefined;
  const { asOfMs, lagMs } = part;
  // A lag the view cannot state is not a small lag: read live.
  if (typeof lagMs !== 'number' || !(lagMs >= 0 && lagMs <= budgetMs)) return undefined;
  if (typeof asOfMs !== 'number' || Number.isNaN(new Date(asOfMs).getTime())) return undefined;
  return part;
}

/** A live load of one key, tracked for the customer's freshness (when given); a failure is a field error of the source. */
export function liveRead(ctx: RequestContext, freshness: FreshnessTracker | undefined, ref: SourceRef, key: string): Promise<unknown> {
  return fromSource(ref.connector, () => {
    const work = ctx.load(ref, key);
    return freshness ? freshness.track(ref.connector, work) : work;
  });
}

/**
 * The part's records from the customer's view (`fromView(view)`), recorded as VIEW for its freshness and explain,
 * when the view has `ref.connector`'s part fresh within the budget; undefined (read live) otherwise.
 */
export async function fromFreshView(ctx: RequestContext, owner: PartOwner, ref: SourceRef, budgetMs: number, fromView: (view: CustomerView) => unknown): Promise<unknown> {
  if (!ctx.hasViews || budgetMs <= 0) return undefined;
  // The freshness report waits for this read: it decides whether the part is recorded as VIEW or tracked live.
  const view = await owner.freshness.hold(ctx.view(owner.id));
  const part = freshPart(view, ref.connector, budgetMs);
  if (view === null || part === undefined) return undefined;
  const records = fromView(view);
  if (records === undefined || records === null) return undefined;
  owner.freshness.recordView(ref.connector, part);
  ctx.explain?.recordView(ref.connector, owner.id);
  return records;
}

/**
 * One part's raw records: from the view when fresh within `budgetMs`, else the live load of `liveKey()` — null, with
 * nothing read, when the customer has no key for that source (no shop customer number, no helpdesk account).
 */
export async function viewOrLive(
  ctx: RequestContext,
  owner: PartOwner,
  ref: SourceRef,
  budgetMs: number,
  fromView: (view: CustomerView) => unknown,
  liveKey: () => string | null,
): Promise<unknown> {
  const viewed = await fromFreshView(ctx, owner, ref, budgetMs, fromView);
  if (viewed !== undefined) return viewed;
  const key = liveKey();
  return key === null ? null : liveRead(ctx, owner.freshness, ref, key);
}
