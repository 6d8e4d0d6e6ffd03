/**
 * Delivery confirmations as stored (protocol.md §5 delivery.confirm, §7): in the license's own partition of the
 * documents table, next to its drawdowns. `DELIVERY#<agency>#<importDeclarationId>` holds one confirmation,
 * `DELIVERED#<agency>` the running totals of that confirming agency per line (what delivery.list adds up without
 * reading every confirmation). Ids, the agency and recordedAt are clear; dates, lines, names and totals are envelopes
 * under the issuer's license scope, bound to their record key.
 */
import { decryptAt, encryptAt, KINDS } from './documents.ts';
import type { PayloadCipher } from './payload-cipher.ts';
import type { StoredRecord } from './ports.ts';

/**
 * delivery.list flags a line `not-delivered` when what was shipped this many days ago or earlier is not all delivered.
 * A deployment setting: CDK context `corridor:deliveryOverdueDays`, environment CORRIDOR_DELIVERY_OVERDUE_DAYS.
 */
export const DEFAULT_DELIVERY_OVERDUE_DAYS = 90;

export const DELIVERY_PREFIX = 'DELIVERY#';
export const DELIVERED_PREFIX = 'DELIVERED#';
export const deliverySk = (agency: string, importDeclarationId: string): string => `${DELIVERY_PREFIX}${agency}#${importDeclarationId}`;
export const deliveredSk = (agency: string): string => `${DELIVERED_PREFIX}${agency}`;

/** Set at confirmation time against the license version then current (names compared by key, protocol.md §5 Names). */
export type DeliveryFlag = 'consignee-mismatch' | 'end-user-mismatch';

export interface StoredDelivery {
  importDeclarationId: string;
  agency: string;
  date: string;
  lines: { line: number; quantity: number }[];
  consignee: { name: string };
  endUser: { name: string };
  eucRef?: { issuer: string; eucId: string };
  /** The license version the names were compared with. */
  version: number;
  flags: DeliveryFlag[];
  recordedAt: string;
  /** JCS of the request body, items sorted by line: the idempotency comparison. */
  canonical: string;
}

/** One confirming agency's totals on one line: quantities delivered, and how much of it went to another consignee / end user. */
export interface LineDelivered { delivered: number; consigneeMismatch: number; endUserMismatch: number }
export type AgencyTotals = Record<string, LineDelivered>;

const spec = KINDS.license;

export async function readDelivery(cipher: PayloadCipher, issuer: string, licenseId: string, rec: StoredRecord): Promise<StoredDelivery> {
  return JSON.parse((await decryptAt(cipher, spec, issuer, licenseId, rec, 'record'))!) as StoredDelivery;
}

export function encryptDeliveryField(cipher: PayloadCipher, issuer: string, licenseId: string, sk: string, field: string, value: unknown): Promise<Uint8Array> {
  return encryptAt(cipher, spec, issuer, licenseId, sk, field, JSON.stringify(value));
}

/** An agency's totals record, decrypted, with its version for the conditional rewrite (null: none yet). */
export async function readTotals(cipher: PayloadCipher, issuer: string, licenseId: string, rec: StoredRecord | null): Promise<{ totals: AgencyTotals; ver: number | null }> {
  if (!rec) return { totals: {}, ver: null };
  return { totals: JSON.parse((await decryptAt(cipher, spec, issuer, licenseId, rec, 'totals'))!) as AgencyTotals, ver: Number(rec.attrs.ver) };
}

/** The public view of a stored confirmation; `withFlags` only for the issuer. */
export function deliveryView(d: StoredDelivery, withFlags: boolean): Record<string, unknown> {
  return {
    importDeclarationId: d.importDeclarationId,
    agency: d.agency,
    date: d.date,
    lines: d.lines,
    consignee: d.consignee,
    endUser: d.endUser,
    ...(d.eucRef ? { eucRef: d.eucRef } : {}),
    recordedAt: d.recordedAt,
    ...(withFlags ? { version: d.version, flags: d.flags } : {}),
  };
}
