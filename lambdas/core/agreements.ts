/** Sharing agreements: an owner's grant of permissions on its documents of one type to a partner. */
import { agencyPk } from './agencies.ts';
import type { Store, Write } from './ports.ts';

export type DocumentType = 'license' | 'euc';
export type Permission = 'verify' | 'read' | 'drawdown';

export interface Agreement {
  owner: string;
  partner: string;
  documentType: DocumentType;
  permissions: Permission[];
  validUntil?: string;
}

const grantSk = (type: DocumentType, partner: string): string => `GRANT#${type}#${partner}`;

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
