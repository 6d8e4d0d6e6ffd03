/**
 * Per-agency rate limit (protocol.md §3: 429, signed and audited): a token bucket per
 * authenticated agency in this process. In AWS each warm Lambda container holds its own
 * buckets, so the effective limit is per container; API Gateway stage throttling (and a WAF
 * rate rule per source IP) bound the whole. Memory is bounded: idle buckets are dropped.
 */
import type { Clock } from './ports.ts';

export interface RateLimit {
  /** Sustained requests per second per agency. */
  readonly perSecond: number;
  /** Requests an agency may make at once after being idle. */
  readonly burst: number;
}

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    readonly limit: RateLimit,
    private readonly maxAgencies = 10_000,
  ) {}

  /** Take one token for `agencyId`; false (and how long to wait, in seconds) when it has none. */
  take(agencyId: string): { ok: true } | { ok: false; retryAfter: number } {
    const now = this.clock.now();
    let b = this.buckets.get(agencyId);
    if (!b) {
      if (this.buckets.size >= this.maxAgencies) this.evictIdle(now);
      b = { tokens: this.limit.burst, at: now };
      this.buckets.set(agencyId, b);
    } else {
      b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfter: Math.max(1, Math.ceil((1 - b.tokens) / this.limit.perSecond)) };
  }

  /** Drop buckets that have refilled completely (they hold no state worth keeping). */
  private evictIdle(now: number): void {
    const full = (this.limit.burst / this.limit.perSecond) * 1000;
    for (const [id, b] of this.buckets) if (now - b.at >= full) this.buckets.delete(id);
    if (this.buckets.size >= this.maxAgencies) this.buckets.delete(this.buckets.keys().next().value as string);
  }
}
