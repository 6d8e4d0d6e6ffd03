/** Sharing agreements: an owner's grant of permissions on its documents of one type to a partner. */
import { agencyPk } from './agencies.ts';
import type { Store, Write } from './ports.ts';

/** What an agreement is about: an owner's licenses, its end-use certificates, (`psv`) its post-shipment checks, or its denials. */
export type DocumentType = 'license' | 'euc' | 'psv' | 'denial';
/**
 * `confirm`: delivery.confirm on the owner's licenses; `request`: psv.request of the owner (the checking agency);
 * `screen`: the owner's denials in screening.check, matches only (`read` on denials: matches and the documents).
 */
export type Permission = 'verify' | 'read' | 'drawdown' | 'confirm' | 'request' | 'screen';

export interface Agreement {
  owner: string;
  partner: string;
  documentType: DocumentType;
  permissions: Permission[];
  validUntil?: string;
}

/** Sort-key prefix of agreements in the owner's registry partition: `GRANT#<type>#<partner>`. */
export const GRANT_PREFIX = 'GRANT#';
const grantSk = (type: DocumentType, partner: string): string => `${GRANT_PREFIX}${type}#${partner}`;

/** An agreement as stored: its owner and partner are in the keys (`AGENCY#<owner>`, `GRANT#<type>#<partner>`), grantedAt is when it last changed. */
export function agreementFromRecord(rec: { pk: string; sk?: string; attrs: Readonly<Record<string, unknown>> }): Agreement & { grantedAt?: string } {
  const [, type, partner] = (rec.sk ?? '').split('#') as [string, DocumentType, string];
  const a: Agreement & { grantedAt?: string } = { owner: rec.pk.slice(agencyPk('').length), partner, documentType: type, permissions: rec.attrs.permissions as Permission[] };
  if (typeof rec.attrs.validUntil === 'string') a.validUntil = rec.attrs.validUntil;
  if (typeof rec.attrs.grantedAt === 'string') a.grantedAt = rec.attrs.grantedAt;
  return a;
}

export async function getAgreement(store: Store, owner: string, type: DocumentType, partner: string): Promise<Agreement | null> {
  const rec = await store.get('registry', agencyPk(owner), grantSk(type, partner));
  if (!rec) return null;
  const a: Agreement = { owner, partner, documentType: type, permissions: rec.attrs.permissions as Permission[] };
  if (typeof rec.attrs.validUntil === 'string') a.validUntil = rec.attrs.validUntil;
  return a;
}

/** Store the agreement, or delete it when it grants nothing (withdrawal). */
export function agreementWrite(a: Agreement, grantedAt: string): Write {
  const pk = agencyPk(a.owner);
  const sk = grantSk(a.documentType, a.partner);
  if (a.permissions.length === 0) return { op: 'delete', table: 'registry', pk, sk, condition: { kind: 'none' } };
  const attrs: Record<string, string | string[]> = { permissions: a.permissions, grantedAt };
  if (a.validUntil) attrs.validUntil = a.validUntil;
  return { op: 'put', record: { table: 'registry', pk, sk, attrs }, condition: { kind: 'none' } };
}
