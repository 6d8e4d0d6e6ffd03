/**
 * When a failed delivery is tried again (protocol.md §10, "Retries"): the first retry 5–7 s after the first attempt,
 * the second 30–42 s after it, then exponential backoff with jitter — 30–60 s, 1–2 min, 2–4 min, … capped at
 * 30–60 min between attempts — for as long as the first attempt is less than 24 h ago; the attempt that fails after
 * that parks the notification (it stays in notification.list). About 40 attempts in all.
 */

export interface RetrySchedule {
  /** First retry, counted from the first attempt (+0–40 % jitter). */
  readonly firstMs: number;
  /** Second retry, counted from the first attempt (+0–40 % jitter). */
  readonly secondMs: number;
  /** Base of the backoff after the second retry: base × 2^k, at random between half of that and all of it. */
  readonly baseMs: number;
  /** Largest wait between two attempts. */
  readonly capMs: number;
  /** Attempts go on until the first attempt is this long ago. */
  readonly horizonMs: number;
}

export const DEFAULT_SCHEDULE: RetrySchedule = { firstMs: 5_000, secondMs: 30_000, baseMs: 60_000, capMs: 3_600_000, horizonMs: 24 * 3_600_000 };

/** Every duration × `factor`: tests and `npm start` with CORRIDOR_NOTIFY_RETRY_SCALE run the same schedule faster. */
export function scaledSchedule(factor: number, base: RetrySchedule = DEFAULT_SCHEDULE): RetrySchedule {
  return { firstMs: base.firstMs * factor, secondMs: base.secondMs * factor, baseMs: base.baseMs * factor, capMs: base.capMs * factor, horizonMs: base.horizonMs * factor };
}

/**
 * When the next attempt is due (milliseconds), after `attemptsMade` failed attempts of which the first was at
 * `firstAt`; null when the notification is parked. `random` in [0, 1).
 */
export function nextAttemptAt(s: RetrySchedule, attemptsMade: number, firstAt: number, now: number, random: () => number = Math.random): number | null {
  if (attemptsMade === 1) return firstAt + s.firstMs * (1 + 0.4 * random());
  if (attemptsMade === 2) return firstAt + s.secondMs * (1 + 0.4 * random());
  if (now - firstAt >= s.horizonMs) return null;
  const ceiling = Math.min(s.capMs, s.baseMs * 2 ** (attemptsMade - 3));
  return now + ceiling * (0.5 + 0.5 * random());
}
