/**
 * Request metrics from the audit log (issue 16): one count and one latency distribution per (action, decision) for a
 * batch of audit events, instead of one metric document per request. Every answered action call writes exactly one
 * event (protocol.md §6), so counting events counts requests; the calls that write none (a 503 whose audit write
 * failed) are counted by AuditWriteFailures instead.
 */
import type { AuditEvent } from './audit.ts';

/**
 * CloudWatch keeps at most 100 distinct values per metric in one embedded-metric-format document (as in PutMetricData's
 * Values/Counts); a distribution with more is merged into this many bins.
 */
export const MAX_LATENCY_BINS = 100;

/** A distribution as CloudWatch takes it: distinct `values`, how often each occurred, and the exact statistics. */
export interface LatencyHistogram {
  /** Ascending, distinct, whole milliseconds; at most MAX_LATENCY_BINS. */
  readonly values: readonly number[];
  /** `counts[i]` requests had (about) `values[i]` ms. */
  readonly counts: readonly number[];
  /** Exact over the requests, whatever the binning: CloudWatch's Minimum, Maximum, SampleCount, Sum and Average. */
  readonly min: number;
  readonly max: number;
  readonly count: number;
  readonly sum: number;
}

export interface RequestAggregate {
  /** The event's action; `unknown` for an event without one. */
  readonly action: string;
  readonly decision: 'allow' | 'deny';
  /** How many requests (events). */
  readonly count: number;
  readonly latency: LatencyHistogram;
}

/**
 * The request events among `events`, grouped by (action, decision), sorted by action then decision. A request's
 * event is one that carries `ms` (since protocol revision 9 only the exchange's request pipeline sets it): the events
 * of work without a request (notification.deliver, psv.overdue, key changes, agency.bootstrap) are no requests.
 */
export function aggregateRequests(events: readonly AuditEvent[]): RequestAggregate[] {
  const groups = new Map<string, { action: string; decision: 'allow' | 'deny'; byMs: Map<number, number>; stats: Stats }>();
  for (const e of events) {
    if (typeof e.ms !== 'number' || !Number.isFinite(e.ms)) continue;
    const action = e.action ?? 'unknown';
    const key = `${action}\n${e.decision}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { action, decision: e.decision, byMs: new Map(), stats: { count: 0, sum: 0, min: Infinity, max: -Infinity } }));
    const ms = Math.max(0, Math.round(e.ms)); // whole ms, as the event carries it: equal latencies share a value
    g.byMs.set(ms, (g.byMs.get(ms) ?? 0) + 1);
    g.stats.count++;
    g.stats.sum += ms;
    g.stats.min = Math.min(g.stats.min, ms);
    g.stats.max = Math.max(g.stats.max, ms);
  }
  return [...groups.values()]
    .sort((a, b) => (a.action === b.action ? (a.decision < b.decision ? -1 : 1) : a.action < b.action ? -1 : 1))
    .map((g) => ({ action: g.action, decision: g.decision, count: g.stats.count, latency: histogram(g.byMs, g.stats) }));
}

/** One distribution of several (e.g. every action's of one decision), binned again to at most MAX_LATENCY_BINS. */
export function mergeLatency(parts: readonly LatencyHistogram[]): LatencyHistogram {
  const byMs = new Map<number, number>();
  const stats: Stats = { count: 0, sum: 0, min: Infinity, max: -Infinity };
  for (const p of parts) {
    if (p.count === 0) continue;
    p.values.forEach((v, i) => byMs.set(v, (byMs.get(v) ?? 0) + p.counts[i]!));
    stats.count += p.count;
    stats.sum += p.sum;
    stats.min = Math.min(stats.min, p.min);
    stats.max = Math.max(stats.max, p.max);
  }
  return histogram(byMs, stats);
}

interface Stats { count: number; sum: number; min: number; max: number }

/**
 * `byMs` (whole ms → how many requests) as at most MAX_LATENCY_BINS values: as they are when there are no more
 * distinct values than that; otherwise merged into MAX_LATENCY_BINS bins of equal width on a log scale
 * (log(1 + ms)) between the smallest and the largest value. Latency spreads over orders of magnitude, so a log scale
 * keeps each bin's relative error alike (a fast p50 and a slow p99 both stay readable). A bin's value is its
 * count-weighted mean rounded to the ms: bins hold disjoint ranges of whole numbers, so the rounded means stay
 * distinct and ascending. `stats` (count, sum, min, max) stay exact; only percentiles become approximate.
 */
function histogram(byMs: ReadonlyMap<number, number>, stats: Stats): LatencyHistogram {
  let entries = [...byMs].sort((a, b) => a[0] - b[0]);
  if (entries.length > MAX_LATENCY_BINS) {
    const lo = Math.log1p(entries[0]![0]);
    const width = (Math.log1p(entries[entries.length - 1]![0]) - lo) / MAX_LATENCY_BINS;
    const bins = new Map<number, { n: number; total: number }>();
    for (const [ms, n] of entries) {
      const i = Math.min(MAX_LATENCY_BINS - 1, Math.floor((Math.log1p(ms) - lo) / width));
      const bin = bins.get(i) ?? { n: 0, total: 0 };
      bin.n += n;
      bin.total += ms * n;
      bins.set(i, bin);
    }
    entries = [...bins].sort((a, b) => a[0] - b[0]).map(([, bin]) => [Math.round(bin.total / bin.n), bin.n]);
  }
  return {
    values: entries.map(([ms]) => ms),
    counts: entries.map(([, n]) => n),
    ...(stats.count > 0 ? stats : { count: 0, sum: 0, min: 0, max: 0 }),
  };
}
