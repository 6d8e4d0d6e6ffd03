/**
 * The notification types and who receives each (protocol.md §10): one row per type. Adding a type is a row here,
 * its name in NotificationType, and a `notice(…)` in the action that causes it (outbox.ts).
 */
import type { Audience, AgreementReader } from './receivers.ts';
import { issuerAnd, keyCounterparts, named, theIssuer, partners } from './receivers.ts';

export type NotificationType =
  | 'license.status'
  | 'license.version'
  | 'license.drawdown'
  | 'license.balance'
  | 'euc.status'
  | 'agency.key'
  | 'delivery.confirmed'
  | 'psv.requested'
  | 'psv.reported'
  | 'psv.overdue'
  | 'denial.notified'
  | 'denial.revoked'
  | 'consultation.opened'
  | 'consultation.answered';

/** What a notification is about: an issuer's document, one key of an agency, or a case (psv, consultation). Ids only. */
export type Subject =
  | { readonly documentType: 'license' | 'euc' | 'denial'; readonly issuer: string; readonly documentId: string }
  | { readonly agencyId: string; readonly kid: string }
  | { readonly caseType: 'psv' | 'consultation'; readonly requester: string; readonly caseId: string };

/** One fact an action commits, before it is addressed: the type, its subject, the data and whose data it is. */
export interface Notice {
  readonly evt: NotificationType;
  /** The agency the facts belong to (the document's issuer, the key's agency): it sees every member of `data`. */
  readonly owner: string;
  readonly sub: Subject;
  readonly data: Readonly<Record<string, unknown>>;
  /** The one other side of a case (psv, consultation), for types addressed by name rather than by agreement. */
  readonly to?: readonly string[];
}

export interface TypeSpec {
  /** Every agency the notification is addressed to, and whether it may read content (`reader`). */
  readonly audience: (reader: AgreementReader, notice: Notice, today: string) => Promise<Audience[]>;
  /**
   * Members of `data` only readers receive (the owner, and partners holding `read`): a status reason is the
   * issuer's text about its own document, which a `verify` partner never gets from license.verify either.
   */
  readonly readersOnly?: readonly string[];
}

export const NOTIFICATION_TYPES: Readonly<Record<NotificationType, TypeSpec>> = {
  'license.status': { audience: partners('license'), readersOnly: ['reason'] },
  'license.version': { audience: partners('license') },
  'license.drawdown': { audience: theIssuer },
  'license.balance': { audience: issuerAnd(partners('license', 'read')) },
  'euc.status': { audience: partners('euc'), readersOnly: ['reason'] },
  'agency.key': { audience: keyCounterparts },
  'delivery.confirmed': { audience: theIssuer },
  'psv.requested': { audience: named },
  'psv.reported': { audience: named },
  // both sides: the requester (the case's owner) must act on it, the checker learns its report is late
  'psv.overdue': { audience: issuerAnd(named) },
  // screen partners learn that a denial changed (ids, status); the digest names the signed document, for read partners
  'denial.notified': { audience: partners('denial'), readersOnly: ['digest'] },
  'denial.revoked': { audience: partners('denial') },
  'consultation.opened': { audience: named },
  'consultation.answered': { audience: named },
};

export const NOTIFICATION_TYPE_NAMES = Object.keys(NOTIFICATION_TYPES) as NotificationType[];

export function isNotificationType(s: string): s is NotificationType {
  return Object.hasOwn(NOTIFICATION_TYPES, s);
}

/** `data` as one receiver may see it. */
export function dataFor(notice: Notice, reader: boolean): Record<string, unknown> {
  const hidden = reader ? [] : NOTIFICATION_TYPES[notice.evt].readersOnly ?? [];
  return Object.fromEntries(Object.entries(notice.data).filter(([k]) => !hidden.includes(k)));
}
