/**
 * Notification records in the `notifications` table: one per (receiver, notification), partition `NTF#<receiver>`,
 * sort key `N#<iat as RFC 3339>#<jti>` (oldest first: notification.list's order). The compact JWS exactly as delivered
 * is stored envelope-encrypted (its claims carry reasons and quantities); the delivery state, ids and type are clear.
 * Kept NOTIFICATION_TTL_DAYS whatever the delivery outcome, then removed by DynamoDB's TTL.
 */
import type { PayloadCipher } from '../payload-cipher.ts';
import type { Store, StoredRecord, Write } from '../ports.ts';
import type { NotificationType } from './types.ts';

/** At least the 30 days the protocol promises, plus a day: TTL removal is never early. */
export const NOTIFICATION_TTL_DAYS = 31;
export const NOTIFICATION_PK_PREFIX = 'NTF#';

/** pending: attempts go on; delivered: a 2xx; parked: the retry schedule ran out; unsubscribed: the type or the subscription was dropped before delivery. */
export type DeliveryState = 'pending' | 'delivered' | 'parked' | 'unsubscribed';

export interface NotificationRecord {
  receiver: string;
  sk: string;
  jti: string;
  evt: NotificationType;
  /** Envelope-encrypted compact JWS. */
  jwsBlob: Uint8Array;
  state: DeliveryState;
  /** Attempts made so far. */
  attempts: number;
  /** Milliseconds; the retry schedule counts from the first attempt. */
  firstAttemptAt?: number;
  lastAttemptAt?: number;
  /** The last attempt's result: `http-<status>`, `timeout`, `unreachable`, `address-refused`. */
  lastResult?: string;
  expiresAt: number;
  ver: number;
}

export const notificationPk = (receiver: string): string => `${NOTIFICATION_PK_PREFIX}${receiver}`;
/** Every sort key starts with this: a DynamoDB key condition cannot take an empty prefix. */
export const NOTIFICATION_SK_PREFIX = 'N#';
export const notificationSk = (iatIso: string, jti: string): string => `${NOTIFICATION_SK_PREFIX}${iatIso}#${jti}`;
const scopeOf = (receiver: string) => ({ owner: receiver, type: 'notification' });
const aadOf = (receiver: string, sk: string): string => `notifications/${notificationPk(receiver)}/${sk}/jws`;

export function encryptJws(cipher: PayloadCipher, receiver: string, sk: string, jws: string): Promise<Uint8Array> {
  return cipher.encrypt(jws, scopeOf(receiver), aadOf(receiver, sk));
}

export async function decryptJws(cipher: PayloadCipher, rec: Pick<NotificationRecord, 'receiver' | 'sk' | 'jwsBlob'>): Promise<string> {
  return (await cipher.decrypt(rec.jwsBlob, scopeOf(rec.receiver), aadOf(rec.receiver, rec.sk))).toString('utf8');
}

export function recordFrom(r: StoredRecord): NotificationRecord {
  const a = r.attrs;
  const rec: NotificationRecord = {
    receiver: r.pk.slice(NOTIFICATION_PK_PREFIX.length),
    sk: r.sk!,
    jti: String(a.jti),
    evt: a.evt as NotificationType,
    jwsBlob: a.jws as Uint8Array,
    state: a.state as DeliveryState,
    attempts: Number(a.attempts),
    expiresAt: Number(a.expiresAt),
    ver: Number(a.ver),
  };
  if (typeof a.firstAttemptAt === 'number') rec.firstAttemptAt = a.firstAttemptAt;
  if (typeof a.lastAttemptAt === 'number') rec.lastAttemptAt = a.lastAttemptAt;
  if (typeof a.lastResult === 'string') rec.lastResult = a.lastResult;
  return rec;
}

/** The put of `rec`: a new record must not exist; a changed one must still be at the version read. */
export function recordWrite(rec: NotificationRecord, previousVer: number | null): Write {
  const attrs: Record<string, string | number | Uint8Array> = {
    jti: rec.jti, evt: rec.evt, jws: rec.jwsBlob, state: rec.state, attempts: rec.attempts, expiresAt: rec.expiresAt,
    ver: previousVer === null ? 1 : previousVer + 1,
  };
  if (rec.firstAttemptAt !== undefined) attrs.firstAttemptAt = rec.firstAttemptAt;
  if (rec.lastAttemptAt !== undefined) attrs.lastAttemptAt = rec.lastAttemptAt;
  if (rec.lastResult !== undefined) attrs.lastResult = rec.lastResult;
  return {
    op: 'put',
    record: { table: 'notifications', pk: notificationPk(rec.receiver), sk: rec.sk, attrs },
    condition: previousVer === null ? { kind: 'absent' } : { kind: 'version', equals: previousVer },
  };
}

export async function getRecord(store: Pick<Store, 'get'>, receiver: string, sk: string): Promise<NotificationRecord | null> {
  const r = await store.get('notifications', notificationPk(receiver), sk);
  return r ? recordFrom(r) : null;
}
