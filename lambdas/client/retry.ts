/**
 * When and how long the client waits before sending an action again. Only 429 (rate
 * limited, nothing consumed) and 503 (a dependency failed, nothing changed — protocol.md §3)
 * are retried: every other refusal would be refused again, and a retry is always a new
 * request with a new jti (§2), so it cannot be taken for a replay.
 *
 * Delays are "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * uniform in [0, min(maxDelay, base · 2^n)], so callers refused together do not come back
 * together; a `Retry-After` from the exchange is a floor. Attempts and total time are both
 * bounded; a wait that would end past the deadline is not started.
 */

export interface RetryPolicy {
  /** Total attempts including the first (1 = never retry). */
  maxAttempts: number;
  /** Cap of the first backoff window, doubled per retry. */
  baseDelayMs: number;
  /** Largest window, and the largest Retry-After honoured. */
  maxDelayMs: number;
  /** No attempt starts later than this after the call began. */
  deadlineMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8_000, deadlineMs: 30_000 };

export const RETRYABLE_STATUSES: readonly number[] = [429, 503];

export function isRetryable(status: number): boolean {
  return RETRYABLE_STATUSES.includes(status);
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date (IMF-fixdate, the form senders must use); anything else is ignored. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The wait before retry number `retry` (0 for the first retry), or null when no retry
 * should happen: attempts used up, or the wait would end past the deadline.
 */
export function retryDelay(p: RetryPolicy, o: { retry: number; startedMs: number; nowMs: number; retryAfterMs?: number; random: () => number }): number | null {
  if (o.retry + 1 >= p.maxAttempts) return null;
  const window = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** o.retry);
  const jittered = Math.floor(o.random() * window);
  // A Retry-After beyond maxDelay is not honoured by waiting longer but by giving up:
  // the caller learns the exchange's answer now instead of blocking on an unbounded hint.
  if (o.retryAfterMs !== undefined && o.retryAfterMs > p.maxDelayMs) return null;
  const delay = Math.max(jittered, o.retryAfterMs ?? 0);
  return o.nowMs + delay - o.startedMs > p.deadlineMs ? null : delay;
}

export function resolvePolicy(over: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY, ...over };
  for (const [k, v] of Object.entries(p)) if (!Number.isFinite(v) || v < 0) throw new RangeError(`retry.${k} must be a finite number ≥ 0`);
  if (p.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be at least 1');
  return p;
}
