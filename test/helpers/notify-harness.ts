/**
 * The notification pipeline on memory adapters: the real exchange (TestExchange), the real fan-out and delivery
 * core, a memory queue, and a scripted webhook poster. `pump()` does what the stream and the queue do in AWS:
 * every new outbox item is fanned out, every queued message delivered — waiting for a message means moving the
 * test clock to its due time, so tests assert order and outcome, never wall-clock timing.
 */
import { compactVerify, createLocalJWKSet, decodeProtectedHeader, type JWK } from 'jose';
import { MemoryNotificationQueue } from '../../lambdas/adapters/memory/memory-notification-queue.ts';
import { exchangeJwks } from '../../lambdas/core/discovery.ts';
import { deliver, type DeliveryStep } from '../../lambdas/core/notifications/delivery.ts';
import { HostNotFound, LOCAL_ENDPOINTS, type EndpointPolicy, type HostResolver } from '../../lambdas/core/notifications/endpoint-rules.ts';
import { fanOut } from '../../lambdas/core/notifications/fan-out.ts';
import { isOutbox } from '../../lambdas/core/notifications/outbox.ts';
import type { PostResult, WebhookPoster, WebhookRequest } from '../../lambdas/core/notifications/queue.ts';
import { DEFAULT_SCHEDULE, type RetrySchedule } from '../../lambdas/core/notifications/retry-schedule.ts';
import { sha256b64url } from '../../lambdas/core/merkle.ts';
import { TestExchange } from './memory-exchange.ts';

/** A resolver over a fixed table of names (no DNS in unit tests). */
export class TableResolver implements HostResolver {
  constructor(readonly names: Record<string, string[]> = {}) {}
  async lookup(hostname: string): Promise<string[]> {
    const a = this.names[hostname];
    if (!a) throw new HostNotFound(hostname);
    return a;
  }
}

export interface Post extends WebhookRequest { receiver?: string }

/** Answers each POST with the next scripted result (then `fallback`), and remembers every POST. */
export class ScriptedPoster implements WebhookPoster {
  readonly posts: Post[] = [];
  script: PostResult[] = [];
  fallback: PostResult = answered(204);
  async post(req: WebhookRequest): Promise<PostResult> {
    this.posts.push({ ...req });
    return this.script.shift() ?? this.fallback;
  }
}

export const answered = (status: number): PostResult => ({ kind: 'answered', status, answerDigest: sha256b64url(''), address: '127.0.0.1' });

export class NotifyHarness {
  readonly queue: MemoryNotificationQueue;
  readonly poster = new ScriptedPoster();
  readonly resolver = new TableResolver({ 'hooks.example.org': ['93.184.216.34'] });
  readonly steps: DeliveryStep[] = [];
  private readonly seen = new Set<string>();

  constructor(readonly x: TestExchange, readonly policy: EndpointPolicy = LOCAL_ENDPOINTS, readonly schedule: RetrySchedule = DEFAULT_SCHEDULE) {
    (x.services as { endpoints?: unknown }).endpoints = { policy, resolver: this.resolver };
    this.queue = new MemoryNotificationQueue(() => x.time);
  }

  static async create(policy: EndpointPolicy = LOCAL_ENDPOINTS): Promise<NotifyHarness> {
    return new NotifyHarness(await TestExchange.create(), policy);
  }

  /** Fan out every outbox item not fanned out yet, as the stream would deliver it. */
  async fanOutAll(): Promise<number> {
    let queued = 0;
    for (const r of this.x.store.all('audit').filter((rec) => isOutbox(rec.pk) && !this.seen.has(rec.pk))) {
      this.seen.add(r.pk);
      queued += (await fanOut({ services: this.x.services, queue: this.queue }, r)).queued;
    }
    return queued;
  }

  /** Deliver queued messages as SQS hands them out (earliest visible first) until none is left (or `max` steps), moving the clock to each one's visibility. */
  async deliverAll(max = 200): Promise<DeliveryStep[]> {
    const steps: DeliveryStep[] = [];
    for (let i = 0; i < max && this.queue.messages.length > 0; i++) {
      const { body, visibleAt } = this.queue.next()!;
      if (visibleAt > this.x.time) this.x.time = visibleAt;
      const step = await deliver({
        services: this.x.services, queue: this.queue, poster: this.poster, policy: this.policy, schedule: this.schedule,
        random: () => 0.5, sleep: async (ms) => { this.x.time += ms; },
      }, body);
      steps.push(step);
    }
    this.steps.push(...steps);
    return steps;
  }

  async pump(): Promise<DeliveryStep[]> {
    await this.fanOutAll();
    return this.deliverAll();
  }

  /** Verify a notification JWS under the exchange's published keys; its header and claims. */
  async open(jws: string): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
    const jwks = createLocalJWKSet((await exchangeJwks(this.x.services)) as { keys: JWK[] });
    const { payload } = await compactVerify(jws, jwks, { algorithms: ['ES256'] });
    return { header: decodeProtectedHeader(jws) as Record<string, unknown>, claims: JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown> };
  }
}
