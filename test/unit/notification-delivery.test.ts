// Delivery attempts, retries and parking (protocol.md §10) on memory adapters: the order and spacing of attempts on
// the test clock, the same jti and body on every retry, at-least-once without runaway duplicates when a worker dies,
// and the schedule itself.
import { beforeEach, describe, expect, it } from 'vitest';
import { fanOut } from '../../lambdas/core/notifications/fan-out.ts';
import { MAX_DELAY_SECONDS } from '../../lambdas/core/notifications/queue.ts';
import { DEFAULT_SCHEDULE, nextAttemptAt, scaledSchedule } from '../../lambdas/core/notifications/retry-schedule.ts';
import type { Write } from '../../lambdas/core/ports.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { publish } from '../helpers/licenses.ts';
import { answered, NotifyHarness } from '../helpers/notify-harness.ts';

let h: NotifyHarness;
let bafa: TestAgency, nl: TestAgency;

beforeEach(async () => {
  h = await NotifyHarness.create();
  bafa = await h.x.agency('DE-BAFA', ['licensing']);
  nl = await h.x.agency('NL-DOUANE', ['customs']);
  await h.x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await h.x.call(nl, 'subscription.put', { endpoint: 'http://127.0.0.1:9/hook', events: ['license.status'] });
  await publish(h.x, bafa);
  await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'r' });
});

type Attempt = { evt: string; attempt: number; result: string; state: string; httpStatus?: number };
const deliveryEvents = (): Attempt[] => h.x.auditEvents().filter((e) => e.action === 'notification.deliver').map((e) => e.details!.notification as Attempt);
const listed = async () => (await h.x.call(nl, 'notification.list', {})).result.notifications as { jws: string; delivery: Record<string, unknown> }[];

describe('retries', () => {
  it('a receiver that refuses twice still gets it: first retry within 10 s, second within 60 s of the first attempt, same jti and body', async () => {
    h.poster.script = [answered(500), { kind: 'timeout', address: '127.0.0.1' }];
    const start = h.x.time;
    expect(await h.pump()).toEqual(['retry', 'retry', 'delivered']);
    const posts = h.poster.posts;
    const at = posts.map((p) => Number(p.headers['webhook-timestamp']) * 1000 - start);
    expect(at[0]).toBe(0);
    expect(at[1]).toBeGreaterThan(0);
    expect(at[1]).toBeLessThanOrEqual(10_000);
    expect(at[2]).toBeLessThanOrEqual(60_000);
    expect(new Set(posts.map((p) => p.headers['webhook-id'])).size).toBe(1);
    expect(new Set(posts.map((p) => p.body)).size).toBe(1);
    expect(deliveryEvents()).toEqual([
      { evt: 'license.status', attempt: 1, result: 'rejected', httpStatus: 500, state: 'pending' },
      { evt: 'license.status', attempt: 2, result: 'timeout', state: 'pending' },
      { evt: 'license.status', attempt: 3, result: 'delivered', httpStatus: 204, state: 'delivered' },
    ]);
    expect((await listed())[0]!.delivery).toMatchObject({ state: 'delivered', attempts: 3, lastResult: 'http-204' });
  });

  it('a receiver down for hours gets it when it comes back; waits longer than SQS allows are several hops', async () => {
    h.poster.fallback = { kind: 'unreachable' };
    const start = h.x.time;
    await h.fanOutAll();
    // down until 3 h after the first attempt
    while (h.x.time - start < 3 * 3_600_000) expect(await h.deliverAll(1)).not.toContain('delivered');
    expect(h.queue.messages.every((m) => m.delaySeconds <= MAX_DELAY_SECONDS)).toBe(true);
    h.poster.fallback = answered(200);
    const rest = await h.deliverAll();
    expect(rest.at(-1)).toBe('delivered');
    expect(rest).toContain('deferred'); // a 30–60 min wait goes round the queue in ≤ 15 min hops
    expect((await listed())[0]!.delivery.state).toBe('delivered');
  });

  it('never answered: retried for at least 24 h, then parked — and still listed', async () => {
    h.poster.fallback = answered(503);
    const start = h.x.time;
    const steps = await h.pump();
    expect(steps.at(-1)).toBe('parked');
    expect(h.queue.messages).toHaveLength(0);
    const events = deliveryEvents();
    const attempts = events.length;
    expect(attempts).toBeGreaterThan(30);
    expect(attempts).toBeLessThan(50);
    const lastAt = Number(h.poster.posts.at(-1)!.headers['webhook-timestamp']) * 1000;
    expect(lastAt - start).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(events.at(-1)).toMatchObject({ result: 'rejected', state: 'parked', attempt: attempts });
    expect((await listed())[0]!.delivery).toMatchObject({ state: 'parked', attempts });
  });

  it('an endpoint changed to a refused address after subscribing is never posted to (address-refused, retried)', async () => {
    // stored before the rules could see it: written straight to the registry
    const { subscriptionWrite } = await import('../../lambdas/core/notifications/subscriptions.ts');
    await h.x.store.commit([subscriptionWrite('NL-DOUANE', { endpoint: 'http://10.0.0.1/hook', events: ['license.status'], updatedAt: 'x' })]);
    await h.fanOutAll();
    expect(await h.deliverAll(2)).toEqual(['retry', 'retry']);
    expect(h.poster.posts).toHaveLength(0);
    expect(deliveryEvents()[0]).toEqual({ evt: 'license.status', attempt: 1, result: 'address-refused', state: 'pending' });
  });

  it('unsubscribed before delivery: not posted, state unsubscribed, still listed', async () => {
    await h.fanOutAll();
    await h.x.call(nl, 'subscription.put', { endpoint: 'http://127.0.0.1:9/hook', events: [] });
    expect(await h.deliverAll()).toEqual(['unsubscribed']);
    expect(h.poster.posts).toHaveLength(0);
    expect((await listed())[0]!.delivery).toMatchObject({ state: 'unsubscribed', attempts: 0, lastResult: 'unsubscribed' });
  });
});

describe('at least once, no runaway duplicates', () => {
  it('fanning the same outbox item out again creates no second notification and re-queues only an unattempted one', async () => {
    const outbox = h.x.store.all('audit').find((r) => r.pk.startsWith('OUTBOX#'))!;
    const deps = { services: h.x.services, queue: h.queue };
    expect((await fanOut(deps, outbox)).queued).toBe(1);
    expect((await fanOut(deps, outbox)).queued).toBe(1); // not attempted yet: queued again
    expect(h.x.store.all('notifications')).toHaveLength(1);
    expect(await h.deliverAll()).toEqual(['delivered', 'stale']);
    expect((await fanOut(deps, outbox)).queued).toBe(0);
    expect(h.poster.posts).toHaveLength(1);
  });

  it('a worker that dies after posting, before recording, is redone; its early successor is dropped', async () => {
    h.poster.script = [answered(500), answered(500)];
    await h.fanOutAll();
    const first = h.queue.messages[0]!.body;
    const commit = h.x.store.commit.bind(h.x.store);
    let failNext = true;
    h.x.store.commit = async (writes: readonly Write[]) => {
      if (failNext && writes.some((w) => w.op === 'put' && w.record.table === 'notifications' && w.record.attrs.attempts === 1)) {
        failNext = false;
        throw new Error('Lambda died');
      }
      return commit(writes);
    };
    await expect(h.deliverAll(1)).rejects.toThrow('Lambda died');
    expect(h.queue.messages.map((m) => m.body.n)).toEqual([2]); // the successor went out first
    h.queue.messages.push({ body: first, delaySeconds: 0, visibleAt: h.x.time }); // SQS redelivers message 1
    const steps = await h.deliverAll();
    expect(steps).toEqual(['retry', 'delivered', 'stale']); // two messages 2 now: one acts, the other finds attempt 2 made
    expect(deliveryEvents().map((e) => [e.attempt, e.result])).toEqual([[1, 'rejected'], [2, 'delivered']]);
  });
});

describe('the schedule', () => {
  it('first retry 5–7 s, second 30–42 s after the first attempt, then doubling with jitter capped at an hour', () => {
    const s = DEFAULT_SCHEDULE;
    for (const r of [0, 0.999]) {
      expect(nextAttemptAt(s, 1, 0, 0, () => r)! / 1000).toBeGreaterThanOrEqual(5);
      expect(nextAttemptAt(s, 1, 0, 0, () => r)! / 1000).toBeLessThanOrEqual(7);
      expect(nextAttemptAt(s, 2, 0, 7000, () => r)! / 1000).toBeLessThanOrEqual(42);
    }
    expect(nextAttemptAt(s, 3, 0, 40_000, () => 0.999)! - 40_000).toBeLessThanOrEqual(60_000);
    expect(nextAttemptAt(s, 3, 0, 40_000, () => 0)! - 40_000).toBe(30_000);
    expect(nextAttemptAt(s, 20, 0, 3_600_000, () => 0.999)! - 3_600_000).toBeLessThanOrEqual(3_600_000);
    expect(nextAttemptAt(s, 30, 0, 24 * 3_600_000, () => 0.5)).toBeNull();
    expect(scaledSchedule(0.01).firstMs).toBe(50);
  });
});
