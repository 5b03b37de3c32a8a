// A token bucket per connection, refilled lazily from the clock when a frame arrives (no timer per connection).
// The bucket is two numbers on the connection record; these functions are pure.
export interface RateLimit {
  /** Frames per second allowed on average. */
  readonly perSecond: number;
  /** Frames allowed in a burst. */
  readonly burst: number;
}

export interface Bucket {
  tokens: number;
  /** Clock time of the last refill, in ms. */
  refilledAt: number;
}

export const newBucket = (limit: RateLimit, nowMs: number): Bucket => ({ tokens: limit.burst, refilledAt: nowMs });

/** Takes one token when there is one (true), or leaves the bucket empty and answers false. */
export function takeToken(bucket: Bucket, limit: RateLimit, nowMs: number): boolean {
  const elapsed = nowMs - bucket.refilledAt;
  if (elapsed > 0) {
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsed * limit.perSecond) / 1000);
    bucket.refilledAt = nowMs;
  }
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
