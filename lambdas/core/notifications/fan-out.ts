/**
 * The notifier (protocol.md §10): one outbox item from the audit table's stream becomes one signed notification per
 * receiver — addressed by the agreements as they stand (types.ts), only to agencies subscribed to the type — each
 * stored as a record (kept ≥ 30 days for notification.list) and queued for delivery. Idempotent: a stream batch
 * fanned out again finds its records (same jti, same key) and only re-queues those not yet attempted, so a crash
 * anywhere here loses nothing and creates no second notification.
 */
import { WriteConflict } from '../ports.ts';
import type { CoreServices } from '../services.ts';
import { notificationJti, signNotification } from './notification-jws.ts';
import { readOutbox } from './outbox.ts';
import type { DeliveryMessage, NotificationQueue } from './queue.ts';
import { encryptJws, getRecord, NOTIFICATION_TTL_DAYS, notificationSk, recordWrite, type NotificationRecord } from './records.ts';
import { getSubscription, wants, type Subscription } from './subscriptions.ts';
import { dataFor, NOTIFICATION_TYPES } from './types.ts';

export interface FanOutDeps {
  readonly services: CoreServices;
  readonly queue: NotificationQueue;
}

export interface FanOutResult {
  /** Notifications queued for a first attempt (new ones, and unattempted ones found again). */
  queued: number;
  /** Receivers skipped: not subscribed to the type, or not an active agency. */
  skipped: number;
}

/** Fan out one outbox item (its stream new image: key and attributes). */
export async function fanOut(deps: FanOutDeps, item: { pk: string; attrs: Readonly<Record<string, unknown>> }): Promise<FanOutResult> {
  const { services } = deps;
  const { store, cipher, clock } = services;
  const outbox = await readOutbox(cipher, { pk: item.pk, attrs: item.attrs as never });
  const iatMs = Date.parse(outbox.ts);
  const subscriptions = new Map<string, Subscription | null>();
  const subscriptionOf = async (agencyId: string): Promise<Subscription | null> => {
    if (!subscriptions.has(agencyId)) subscriptions.set(agencyId, await getSubscription(store, agencyId));
    return subscriptions.get(agencyId)!;
  };
  const messages: DeliveryMessage[] = [];
  let skipped = 0;
  for (const [index, notice] of outbox.notices.entries()) {
    const spec = NOTIFICATION_TYPES[notice.evt];
    if (!spec) continue; // a type this build no longer knows: nobody can subscribe to it
    for (const who of await spec.audience(store, notice, outbox.ts.slice(0, 10))) {
      const agency = await services.directory.get(who.agencyId);
      if (!agency || agency.status !== 'active' || !wants(await subscriptionOf(who.agencyId), notice.evt)) {
        skipped++;
        continue;
      }
      const jti = notificationJti(outbox.id, index, who.agencyId);
      const sk = notificationSk(outbox.ts, jti);
      // Written first, read back only when it exists already (a batch fanned out again): one write, no read, per receiver.
      const jws = await signNotification(await services.responseKeys.signingKey(), {
        iss: services.exchangeId, aud: who.agencyId, iat: Math.floor(iatMs / 1000), jti, evt: notice.evt, sub: notice.sub, data: dataFor(notice, who.reader),
      });
      let rec: NotificationRecord | null = {
        receiver: who.agencyId, sk, jti, evt: notice.evt, jwsBlob: await encryptJws(cipher, who.agencyId, sk, jws),
        state: 'pending', attempts: 0, expiresAt: Math.floor(iatMs / 1000) + NOTIFICATION_TTL_DAYS * 86_400, ver: 1,
      };
      try {
        await store.commit([recordWrite(rec, null)]);
      } catch (e) {
        if (!(e instanceof WriteConflict)) throw e;
        rec = await getRecord(store, who.agencyId, sk); // fanned out before: its stored state decides
      }
      // Attempted already: its own chain of messages carries it on (delivery.ts).
      if (rec && rec.state === 'pending' && rec.attempts === 0) messages.push({ v: 1, r: who.agencyId, s: sk, n: 1, d: clock.now() });
    }
  }
  if (messages.length > 0) await deps.queue.send(messages.map((body) => ({ body, delaySeconds: 0 })));
  return { queued: messages.length, skipped };
}
