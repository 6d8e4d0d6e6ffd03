/**
 * The outbox: an action that causes notifications adds one item to the audit table in the SAME transaction as its
 * change and its audit event, so a committed change always has its notices and a refused one never does. The
 * audit table's DynamoDB stream carries the item to the notifier (fan-out.ts), never the request path. The notices
 * are envelope-encrypted (a reason, quantities are trade data); DynamoDB's TTL removes the item after
 * OUTBOX_TTL_DAYS, longer than the 24 h a stream keeps its records.
 */
import { acceptedEventId } from '../audit.ts';
import type { PayloadCipher } from '../payload-cipher.ts';
import type { StoredRecord, Write } from '../ports.ts';
import { isoNow, type ActionContext } from '../services.ts';
import type { Notice } from './types.ts';

/** Partition-key prefix of outbox items in the audit table (events are `ev-…`, seals their own): the stream filter. */
export const OUTBOX_PREFIX = 'OUTBOX#';
export const OUTBOX_TTL_DAYS = 2;
/** The TTL attribute (audit table's `ttlAttribute`); only outbox items carry it, never an event or a seal. */
export const EXPIRES_AT = 'expiresAt';

const scopeOf = (owner: string) => ({ owner, type: 'notification' });
const aadOf = (pk: string): string => `audit/${pk}/notices`;

export interface Outbox {
  /** The outbox item's key: `OUTBOX#` + the id of the audit event it was committed with. */
  readonly id: string;
  /** When the change committed (the request's time): every notification's `iat`. */
  readonly ts: string;
  readonly notices: readonly Notice[];
}

/**
 * The put of the outbox item for `notices` (none: no write). Its key is derived from the call's audit event id, so
 * it exists exactly when the event does; all notices of one call are about one owner's data.
 */
export async function outboxWrites(ctx: ActionContext, notices: readonly Notice[]): Promise<Write[]> {
  return outboxWritesFor(ctx.services.cipher, acceptedEventId(ctx.request.iss, ctx.request.jti), ctx.now, notices);
}

/**
 * The same for a change the exchange makes itself (the scheduled psv.overdue scan): the caller names the id of the
 * audit event it commits the change with, so the item still exists exactly when that event does.
 */
export async function outboxWritesFor(cipher: PayloadCipher, eventId: string, now: number, notices: readonly Notice[]): Promise<Write[]> {
  if (notices.length === 0) return [];
  const owner = notices[0]!.owner;
  if (notices.some((n) => n.owner !== owner)) throw new Error('one outbox item holds notices of one owner');
  const pk = `${OUTBOX_PREFIX}${eventId}`;
  const blob = await cipher.encrypt(JSON.stringify(notices), scopeOf(owner), aadOf(pk));
  return [{
    op: 'put',
    record: { table: 'audit', pk, attrs: { owner, ts: isoNow(now), notices: blob, [EXPIRES_AT]: Math.floor(now / 1000) + OUTBOX_TTL_DAYS * 86_400 } },
    condition: { kind: 'absent' },
  }];
}

export function isOutbox(pk: string): boolean {
  return pk.startsWith(OUTBOX_PREFIX);
}

/** The notices of an outbox item as the stream delivered it (its new image). */
export async function readOutbox(cipher: PayloadCipher, rec: Pick<StoredRecord, 'pk' | 'attrs'>): Promise<Outbox> {
  const owner = String(rec.attrs.owner);
  const blob = rec.attrs.notices;
  if (!(blob instanceof Uint8Array)) throw new Error('outbox item without notices');
  const notices = JSON.parse((await cipher.decrypt(blob, scopeOf(owner), aadOf(rec.pk))).toString('utf8')) as Notice[];
  return { id: rec.pk, ts: String(rec.attrs.ts), notices };
}
