/**
 * Licenses as stored in the documents table. HEAD holds the current version — the
 * encrypted issuer JWS and encrypted balances — so a verification is one read; each
 * version is also kept as its own record. Only ids, version, status, digest, kid and
 * issuedAt are clear text; the document, status reason and quantities are envelopes.
 */
import type { PayloadCipher, CipherScope } from './payload-cipher.ts';
import type { Store, StoredRecord, Write } from './ports.ts';

export type DocumentStatus = 'active' | 'suspended' | 'revoked';

export interface LicenseHead {
  issuer: string;
  licenseId: string;
  version: number;
  status: DocumentStatus;
  changedAt: string;
  digest: string;
  /** Key the issuer signed the current version with; checked against the registry on every verification. */
  kid: string;
  issuedAt: string;
  /** Stored attributes, copied forward on every write. */
  attrs: Record<string, StoredRecord['attrs'][string]>;
  ver: number;
}

export interface LicenseLine { line: number; controlCode: string; quantity: number }

export interface LicenseDocument {
  licenseId: string;
  issuer: string;
  version: number;
  issuedAt: string;
  validFrom: string;
  validUntil: string;
  exporter: { name: string };
  consignee: { name: string };
  endUser: { name: string };
  destinationCountry: string;
  items: LicenseLine[];
}

export const licensePk = (issuer: string, licenseId: string): string => `LICENSE#${issuer}#${licenseId}`;
export const HEAD_SK = 'HEAD';
export const versionSk = (v: number): string => `V#${String(v).padStart(10, '0')}`;
export const licenseScope = (issuer: string): CipherScope => ({ owner: issuer, type: 'license' });
/** GCM additional data: the record's full key and the field, so a blob cannot move. */
export const fieldAad = (pk: string, sk: string, field: string): string => `documents/${pk}/${sk}/${field}`;

export async function getLicenseHead(store: Store, issuer: string, licenseId: string): Promise<LicenseHead | null> {
  const rec = await store.get('documents', licensePk(issuer, licenseId), HEAD_SK);
  if (!rec) return null;
  const a = rec.attrs;
  return {
    issuer,
    licenseId,
    version: Number(a.version),
    status: a.status as DocumentStatus,
    changedAt: String(a.changedAt),
    digest: String(a.digest),
    kid: String(a.kid),
    issuedAt: String(a.issuedAt),
    attrs: { ...a },
    ver: Number(a.ver),
  };
}

export function headWrite(issuer: string, licenseId: string, attrs: LicenseHead['attrs'], previousVer: number | null): Write {
  return {
    op: 'put',
    record: { table: 'documents', pk: licensePk(issuer, licenseId), sk: HEAD_SK, attrs: { ...attrs, ver: previousVer === null ? 1 : previousVer + 1 } },
    condition: previousVer === null ? { kind: 'absent' } : { kind: 'version', equals: previousVer },
  };
}

export async function decryptField(cipher: PayloadCipher, head: LicenseHead, field: string): Promise<string | undefined> {
  const blob = head.attrs[field];
  if (!(blob instanceof Uint8Array)) return undefined;
  const pk = licensePk(head.issuer, head.licenseId);
  return (await cipher.decrypt(blob, licenseScope(head.issuer), fieldAad(pk, HEAD_SK, field))).toString('utf8');
}

/** Quantity drawn so far per line (from the encrypted balances; none recorded yet → {}). */
export async function drawnPerLine(cipher: PayloadCipher, head: LicenseHead): Promise<Record<string, number>> {
  const text = await decryptField(cipher, head, 'drawn');
  return text ? (JSON.parse(text) as Record<string, number>) : {};
}
