/**
 * One delivery attempt (protocol.md §10): the queued message names a record and an attempt number; the stored JWS is
 * POSTed to the receiver's current endpoint; the attempt, its outcome and the record's new state are committed with
 * one audit event (the exchange acting: no actor). A failure queues the next attempt on the retry schedule; SQS
 * delays a message at most 15 minutes, so a longer wait is several hops of the same message.
 *
 * At-least-once without runaway duplicates: message n is acted on only while the record shows n − 1 attempts, and the
 * next message is queued BEFORE the attempt is committed. A crash before the commit leaves message n to be redelivered
 * (its successor then finds n − 1 ≠ n attempts and is dropped); a crash after it leaves the successor queued and
 * message n, redelivered, is dropped. Two workers on one message race on the record's version; the loser stops.
 */
import { auditWrite, refusalEventId, sealableEvent } from '../audit.ts';
import { sha256b64url } from '../merkle.ts';
import { WriteConflict } from '../ports.ts';
import { isoNow, type CoreServices } from '../services.ts';
import { staticCheck, type EndpointPolicy } from './endpoint-rules.ts';
import { MAX_DELAY_SECONDS, type DeliveryMessage, type NotificationQueue, type PostResult, type WebhookPoster } from './queue.ts';
import { decryptJws, getRecord, recordWrite, type DeliveryState, type NotificationRecord } from './records.ts';
import { nextAttemptAt, type RetrySchedule } from './retry-schedule.ts';
import { getSubscription, wants } from './subscriptions.ts';

export interface DeliveryDeps {
  readonly services: CoreServices;
  readonly queue: NotificationQueue;
  readonly poster: WebhookPoster;
  readonly policy: EndpointPolicy;
  readonly schedule: RetrySchedule;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What became of one message. */
export type DeliveryStep = 'stale' | 'deferred' | 'delivered' | 'retry' | 'parked' | 'unsubscribed' | 'lost-race';

/** Results as audited: a 2xx, another status, or no answer at all. */
export type AttemptResult = 'delivered' | 'rejected' | 'timeout' | 'unreachable' | 'address-refused' | 'unsubscribed';

/** A wait this short is slept in process rather than sent round the queue again (SQS delays are whole seconds). */
const SLEEP_BELOW_MS = 1000;
const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function resultOf(p: PostResult | null): AttemptResult {
  if (!p) return 'address-refused';
  if (p.kind !== 'answered') return p.kind;
  return p.status >= 200 && p.status < 300 ? 'delivered' : 'rejected';
}

export async function deliver(deps: DeliveryDeps, msg: DeliveryMessage): Promise<DeliveryStep> {
  const { services, queue } = deps;
  const { store, clock } = services;
  const rec = await getRecord(store, msg.r, msg.s);
  // Gone (past its TTL), finished, or a message this record has moved past (or not yet reached): nothing to do.
  if (!rec || rec.state !== 'pending' || rec.attempts !== msg.n - 1) return 'stale';
  let now = clock.now();
  if (msg.d > now) {
    if (msg.d - now >= SLEEP_BELOW_MS) {
      await queue.send([{ body: msg, delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.floor((msg.d - now) / 1000)) }]);
      return 'deferred';
    }
    await (deps.sleep ?? defaultSleep)(msg.d - now);
    now = clock.now();
  }

  const subscription = await getSubscription(store, msg.r);
  if (!wants(subscription, rec.evt)) {
    await commit(deps, rec, now, 'unsubscribed', 'unsubscribed', null);
    return 'unsubscribed';
  }
  const jws = await decryptJws(services.cipher, rec);
  const checked = staticCheck(subscription.endpoint, deps.policy);
  const posted = 'refused' in checked ? null : await deps.poster.post({
    url: subscription.endpoint,
    headers: { 'content-type': 'application/jose', 'webhook-id': rec.jti, 'webhook-timestamp': String(Math.floor(now / 1000)) },
    body: jws,
  }, deps.policy);
  const result = resultOf(posted);
  const firstAt = rec.firstAttemptAt ?? now;
  const next = result === 'delivered' ? null : nextAttemptAt(deps.schedule, msg.n, firstAt, now, deps.random);
  const state: DeliveryState = result === 'delivered' ? 'delivered' : next === null ? 'parked' : 'pending';
  // The successor first: if the commit below never happens, it is dropped as stale (see the module comment).
  if (next !== null) await queue.send([{ body: { ...msg, n: msg.n + 1, d: next }, delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.floor((next - now) / 1000))) }]);
  const won = await commit(deps, { ...rec, firstAttemptAt: firstAt }, now, state, result, posted, jws);
  if (!won) return 'lost-race';
  return result === 'delivered' ? 'delivered' : state === 'parked' ? 'parked' : 'retry';
}

/** Record the attempt and its audit event in one transaction; false when another worker recorded this attempt first. */
async function commit(deps: DeliveryDeps, rec: NotificationRecord, now: number, state: DeliveryState, result: AttemptResult, posted: PostResult | null, jws = ''): Promise<boolean> {
  const { services } = deps;
  const attempt = result === 'unsubscribed' ? rec.attempts : rec.attempts + 1;
  const httpStatus = posted?.kind === 'answered' ? posted.status : undefined;
  const lastResult = httpStatus !== undefined ? `http-${httpStatus}` : result;
  const next: NotificationRecord = { ...rec, state, attempts: attempt, lastAttemptAt: now, lastResult };
  const event = sealableEvent({
    id: refusalEventId(),
    ts: isoNow(now),
    exchangeId: services.exchangeId,
    action: 'notification.deliver',
    resource: `notification:${rec.receiver}/${rec.jti}`,
    owner: rec.receiver,
    decision: 'allow',
    status: 200,
    rqd: sha256b64url(jws),
    rsd: posted?.kind === 'answered' ? posted.answerDigest : sha256b64url(''),
    sourceIp: posted?.address ?? 'none',
    requestId: `${rec.jti}#${attempt}`,
    details: { notification: { evt: rec.evt, attempt, result, state, ...(httpStatus !== undefined ? { httpStatus } : {}) } },
  });
  try {
    await services.store.commit([recordWrite(next, rec.ver), auditWrite(event)]);
    return true;
  } catch (e) {
    if (e instanceof WriteConflict && e.index === 0) return false;
    throw e;
  }
}
