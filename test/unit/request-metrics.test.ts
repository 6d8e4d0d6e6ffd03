// Request metrics from the audit stream (issue 16): events carry their latency (`ms`), aggregateRequests groups a
// batch by action and decision into counts and latency distributions of at most 100 values (what one EMF document holds).
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import type { Write } from '../../lambdas/core/ports.ts';
import { aggregateRequests, MAX_LATENCY_BINS, mergeLatency, type LatencyHistogram } from '../../lambdas/core/request-metrics.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

const event = (action: string | undefined, decision: 'allow' | 'deny', ms?: number): AuditEvent => ({
  id: 'ev-x', ts: '2026-11-22T10:00:00.000Z', exchangeId: 'corridor:test', ...(action ? { action } : {}), decision,
  status: decision === 'allow' ? 200 : 403, rqd: 'a', rsd: 'b', sourceIp: '127.0.0.1', requestId: 'r', hash: 'h',
  ...(ms === undefined ? {} : { ms }),
});

/** The smallest value v of `h` with at least `q` of the requests at or below it (CloudWatch's percentile, roughly). */
function percentile(h: LatencyHistogram, q: number): number {
  let seen = 0;
  for (let i = 0; i < h.values.length; i++) if ((seen += h.counts[i]!) >= q * h.count) return h.values[i]!;
  throw new Error('empty');
}

function expectWellFormed(h: LatencyHistogram): void {
  expect(h.values.length).toBe(h.counts.length);
  expect(h.values.length).toBeLessThanOrEqual(MAX_LATENCY_BINS);
  for (let i = 1; i < h.values.length; i++) expect(h.values[i]!).toBeGreaterThan(h.values[i - 1]!);
  for (const v of h.values) expect(Number.isInteger(v) && v >= h.min && v <= h.max).toBe(true);
  expect(h.counts.reduce((a, b) => a + b, 0)).toBe(h.count);
}

describe('aggregateRequests', () => {
  it('groups by action and decision, sorted; counts; whole-ms values with their counts; exact statistics', () => {
    const aggs = aggregateRequests([
      event('license.verify', 'allow', 12), event('license.verify', 'allow', 12.4), event('license.verify', 'deny', 3),
      event('agreement.put', 'allow', 40), event('license.verify', 'allow', 30), event(undefined, 'deny', 1),
    ]);
    expect(aggs.map((a) => [a.action, a.decision, a.count])).toEqual([
      ['agreement.put', 'allow', 1], ['license.verify', 'allow', 3], ['license.verify', 'deny', 1], ['unknown', 'deny', 1],
    ]);
    expect(aggs[1]!.latency).toEqual({ values: [12, 30], counts: [2, 1], min: 12, max: 30, count: 3, sum: 54 });
    expect(aggs[3]!.latency).toEqual({ values: [1], counts: [1], min: 1, max: 1, count: 1, sum: 1 });
  });

  it('counts only events of requests (those with ms): exchange work without a request is no request', () => {
    const aggs = aggregateRequests([event('notification.deliver', 'allow'), event('psv.overdue', 'allow'), event('license.verify', 'allow', 5)]);
    expect(aggs.map((a) => a.action)).toEqual(['license.verify']);
    expect(aggregateRequests([event('exchange.keys.rotate', 'allow')])).toEqual([]);
  });

  it('more than 100 distinct latencies: at most 100 values, counts and statistics exact, percentiles close', () => {
    const events: AuditEvent[] = [];
    for (let ms = 1; ms <= 1000; ms++) events.push(event('license.verify', 'allow', ms));
    for (let i = 0; i < 500; i++) events.push(event('license.verify', 'allow', 7)); // a hot spot keeps its own value
    const [agg] = aggregateRequests(events);
    const h = agg!.latency;
    expectWellFormed(h);
    expect(h.values.length).toBeGreaterThan(50); // binned, not collapsed
    expect({ count: h.count, sum: h.sum, min: h.min, max: h.max }).toEqual({ count: 1500, sum: 500500 + 3500, min: 1, max: 1000 });
    expect(h.values).toContain(7);
    // Bins are ~7% wide on a log scale: the true p50 is 250 (the 750th value: 6 below 7, 501 sevens, then 8 on), the true p99 985.
    expect(Math.abs(percentile(h, 0.5) - 250) / 250).toBeLessThan(0.08);
    expect(Math.abs(percentile(h, 0.99) - 985) / 985).toBeLessThan(0.08);
  });
});

describe('mergeLatency', () => {
  it('adds distributions value by value when they fit, bins them again when they do not; statistics stay exact', () => {
    const a = aggregateRequests([event('a.b', 'allow', 5), event('a.b', 'allow', 9)])[0]!.latency;
    const b = aggregateRequests([event('c.d', 'allow', 9), event('c.d', 'allow', 20)])[0]!.latency;
    expect(mergeLatency([a, b])).toEqual({ values: [5, 9, 20], counts: [1, 2, 1], min: 5, max: 20, count: 4, sum: 43 });
    const wide = (from: number) => aggregateRequests(Array.from({ length: 90 }, (_, i) => event('a.b', 'allow', from + i * 3)))[0]!.latency;
    const m = mergeLatency([wide(1), wide(2)]);
    expectWellFormed(m);
    expect({ count: m.count, min: m.min, max: m.max, sum: m.sum }).toEqual({ count: 180, min: 1, max: 269, sum: wide(1).sum + wide(2).sum });
    expect(mergeLatency([])).toEqual({ values: [], counts: [], min: 0, max: 0, count: 0, sum: 0 });
  });
});

describe('ms in the exchange\'s events', () => {
  let x: TestExchange;
  let bafa: TestAgency;
  beforeEach(async () => {
    x = await TestExchange.create();
    bafa = await x.agency('DE-BAFA', ['licensing']);
    await x.agency('NL-DOUANE', ['customs']);
  });

  it('from the start of handling to the event on the services\' clock, for acceptances and refusals; the commit after it not', async () => {
    // Work before the event (signing) takes 40 ms of the test's clock, the commit 25 ms more.
    const signingKey = x.services.responseKeys.signingKey.bind(x.services.responseKeys);
    x.services.responseKeys.signingKey = async () => {
      x.time += 40;
      return signingKey();
    };
    const commit = x.store.commit.bind(x.store);
    x.store.commit = async (writes: readonly Write[]) => {
      x.time += 25;
      return commit(writes);
    };
    const before = x.auditEvents().length;
    expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] })).status).toBe(201);
    expect((await x.call(bafa, 'license.status', { licenseId: 'DE-NONE', status: 'revoked', reason: 'r' })).status).toBe(404);
    const events = x.auditEvents().slice(before);
    expect(events.map((e) => [e.action, e.decision, e.ms])).toEqual([['agreement.put', 'allow', 40], ['license.status', 'deny', 40]]);
    // The bootstrap event has no request, so no ms, and is no request to aggregateRequests; the registrations are.
    const all = x.auditEvents();
    expect(all.find((e) => e.action === 'agency.bootstrap')).not.toHaveProperty('ms');
    expect(aggregateRequests(all).map((a) => [a.action, a.decision, a.count])).toEqual([
      ['agency.register', 'allow', 2], ['agreement.put', 'allow', 1], ['license.status', 'deny', 1],
    ]);
  });
});
