/**
 * Post-shipment verification cases as stored (protocol.md §5 psv.*, §7), in the documents table. One partition per
 * case, `PSV#<requester>#<caseId>`: `CASE` (ids, dates and status clear; the request — end user, site, items,
 * questions — an envelope) and `REPORT#<version>` (every report version, the reporter's JWS as an envelope). Each
 * party also has a listing item `CASE#<requester>#<caseId>` in its own partition `PSVS#<agency>`, holding only ids,
 * dates and status, so psv.query pages through one's cases without decrypting anything. Envelopes are under the
 * requester's `psv` scope, bound to their record key.
 */
import { fieldAad } from './documents.ts';
import type { CipherScope, PayloadCipher } from './payload-cipher.ts';
import type { StoredRecord, Write } from './ports.ts';

export const CASE_SK = 'CASE';
export const LIST_PREFIX = 'CASE#';
/** Days from the request to the due date when the requester names none (BIS-style 60-day checks). */
export const DEFAULT_DUE_DAYS = 60;

export const casePk = (requester: string, caseId: string): string => `PSV#${requester}#${caseId}`;
export const reportSk = (version: number): string => `REPORT#${String(version).padStart(10, '0')}`;
export const listPk = (agency: string): string => `PSVS#${agency}`;
export const listSk = (requester: string, caseId: string): string => `${LIST_PREFIX}${requester}#${caseId}`;
const scope = (requester: string): CipherScope => ({ owner: requester, type: 'psv' });

export type CaseStatus = 'requested' | 'overdue' | 'reported';

/** What the request carries (encrypted in `CASE`). */
export interface PsvRequestContent {
  licenseId: string;
  eucRef?: { issuer: string; eucId: string };
  endUser: { name: string; country: string; address?: string; id?: string };
  site: { address: string; country: string; name?: string };
  items: { line: number; quantity?: number }[];
  questions: string[];
}

/** The clear part of a case, the same in `CASE` and in both listing items. */
export interface CaseKeys {
  caseId: string;
  requester: string;
  checker: string;
  licenseId: string;
  dueDate: string;
  requestedAt: string;
  stored: 'requested' | 'reported';
  reportVersion?: number;
  reportedAt?: string;
}

export function caseKeysOf(rec: StoredRecord): CaseKeys {
  const a = rec.attrs;
  const k: CaseKeys = {
    caseId: String(a.caseId), requester: String(a.requester), checker: String(a.checker), licenseId: String(a.licenseId),
    dueDate: String(a.dueDate), requestedAt: String(a.requestedAt), stored: a.status === 'reported' ? 'reported' : 'requested',
  };
  if (typeof a.reportVersion === 'number') k.reportVersion = a.reportVersion;
  if (typeof a.reportedAt === 'string') k.reportedAt = a.reportedAt;
  return k;
}

/** `overdue`: past the due date (a date, inclusive) with no report. */
export function statusOf(k: CaseKeys, today: string): CaseStatus {
  if (k.stored === 'reported') return 'reported';
  return today > k.dueDate ? 'overdue' : 'requested';
}

export function caseAttrs(k: CaseKeys): Record<string, string | number> {
  return {
    caseId: k.caseId, requester: k.requester, checker: k.checker, licenseId: k.licenseId, dueDate: k.dueDate, requestedAt: k.requestedAt, status: k.stored,
    ...(k.reportVersion !== undefined ? { reportVersion: k.reportVersion } : {}), ...(k.reportedAt ? { reportedAt: k.reportedAt } : {}),
  };
}

/** The two listing items (requester's and checker's), unconditional: they follow the case record they were written with. */
export function listingWrites(k: CaseKeys): Write[] {
  return [k.requester, k.checker].map((agency) => ({ op: 'put', record: { table: 'documents', pk: listPk(agency), sk: listSk(k.requester, k.caseId), attrs: caseAttrs(k) }, condition: { kind: 'none' } }));
}

export function encryptCaseField(cipher: PayloadCipher, requester: string, caseId: string, sk: string, field: string, text: string): Promise<Uint8Array> {
  return cipher.encrypt(text, scope(requester), fieldAad(casePk(requester, caseId), sk, field));
}

export async function decryptCaseField(cipher: PayloadCipher, requester: string, caseId: string, rec: StoredRecord, field: string): Promise<string> {
  const blob = rec.attrs[field];
  if (!(blob instanceof Uint8Array)) throw new Error(`case record without ${field}`);
  return (await cipher.decrypt(blob, scope(requester), fieldAad(casePk(requester, caseId), rec.sk!, field))).toString('utf8');
}

/** A case summary as psv.query lists it. */
export function caseSummary(k: CaseKeys, today: string): Record<string, unknown> {
  return {
    caseId: k.caseId, requester: k.requester, checker: k.checker, licenseId: k.licenseId, status: statusOf(k, today), dueDate: k.dueDate, requestedAt: k.requestedAt,
    ...(k.reportVersion !== undefined ? { reportVersion: k.reportVersion } : {}), ...(k.reportedAt ? { reportedAt: k.reportedAt } : {}),
  };
}
