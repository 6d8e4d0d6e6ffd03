/**
 * Denial notifications as stored in the documents table (protocol.md §5 denial.notify, §7). One partition per
 * denial, `DENIAL#<issuer>#<denialId>`: `CUR#HEAD` (current version: encrypted JWS, status, validity) and `V#…`
 * (every version, as signed). Ids, version, digest, kid, dates and status are clear; the document and the
 * revocation reason are envelopes under the issuer's data key (type `denial`). Every change also appends to the
 * screening feed (screening/denial-feed.ts) in the same transaction.
 */
import { fieldAad, versionSk } from './documents.ts';
import { trustedPayload } from './issuer-document.ts';
import type { PayloadCipher, CipherScope } from './payload-cipher.ts';
import type { Store, StoredRecord, Write } from './ports.ts';
import type { ListedParty } from './screening/name-index.ts';

export const DENIAL_TYP = 'corridor-denial+jws';
export const HEAD_SK = 'CUR#HEAD';
/** A denial applies for 3 years from its date unless it says otherwise (the EU's review period). */
export const DEFAULT_VALIDITY_YEARS = 3;
/** …and for at most 5: a longer-lived denial is renewed by an amendment after its review. */
export const MAX_VALIDITY_YEARS = 5;

export type DenialStatus = 'active' | 'revoked';

/** The payload of a corridor-denial+jws, as validated against schemas/denial.schema.json. */
export interface DenialDocument {
  denialId: string;
  issuer: string;
  version: number;
  issuedAt: string;
  date: string;
  validUntil?: string;
  regimes: string[];
  destinationCountry: string;
  parties: ListedParty[];
  items: { controlCode: string; description: string }[];
  reasonCode: string;
  rationale: string;
}

export interface DenialHead {
  issuer: string;
  denialId: string;
  version: number;
  status: DenialStatus;
  /** Inclusive last day the denial applies (the document's, or its date + 3 years). */
  validUntil: string;
  digest: string;
  changedAt: string;
  /** Stored attributes, copied forward on every write. */
  attrs: Readonly<Record<string, StoredRecord['attrs'][string]>>;
  ver: number;
}

export const denialPk = (issuer: string, denialId: string): string => `DENIAL#${issuer}#${denialId}`;
export const denialScope = (issuer: string): CipherScope => ({ owner: issuer, type: 'denial' });
export const denialResource = (issuer: string, denialId: string): string => `denial:${issuer}/${denialId}`;

/** `date` + `years`, as a date; 29 February becomes 28 February in a year without one; at most 9999-12-31. */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  if (y + years > 9999) return '9999-12-31';
  const target = new Date(0);
  target.setUTCFullYear(y + years, m - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  if (target.getUTCMonth() !== m - 1) target.setUTCDate(0);
  return `${String(target.getUTCFullYear()).padStart(4, '0')}-${String(target.getUTCMonth() + 1).padStart(2, '0')}-${String(target.getUTCDate()).padStart(2, '0')}`;
}

export function effectiveValidUntil(doc: Pick<DenialDocument, 'date' | 'validUntil'>): string {
  return doc.validUntil ?? addYears(doc.date, DEFAULT_VALIDITY_YEARS);
}

/** Active and not past its last day (`today` a UTC date). */
export function denialInForce(head: Pick<DenialHead, 'status' | 'validUntil'>, today: string): boolean {
  return head.status === 'active' && today <= head.validUntil;
}

export async function getDenial(store: Store, issuer: string, denialId: string): Promise<DenialHead | null> {
  const rec = await store.get('documents', denialPk(issuer, denialId), HEAD_SK);
  if (!rec) return null;
  const a = rec.attrs;
  return {
    issuer, denialId,
    version: Number(a.version), status: a.status as DenialStatus, validUntil: String(a.validUntil),
    digest: String(a.digest), changedAt: String(a.changedAt), attrs: { ...a }, ver: Number(a.ver),
  };
}

export function denialHeadWrite(issuer: string, denialId: string, attrs: Record<string, StoredRecord['attrs'][string]>, previousVer: number | null): Write {
  return {
    op: 'put',
    record: { table: 'documents', pk: denialPk(issuer, denialId), sk: HEAD_SK, attrs: { ...attrs, ver: previousVer === null ? 1 : previousVer + 1 } },
    condition: previousVer === null ? { kind: 'absent' } : { kind: 'version', equals: previousVer },
  };
}

export function encryptDenialField(cipher: PayloadCipher, issuer: string, denialId: string, sk: string, field: string, plaintext: string): Promise<Uint8Array> {
  return cipher.encrypt(plaintext, denialScope(issuer), fieldAad(denialPk(issuer, denialId), sk, field));
}

async function decryptDenialField(cipher: PayloadCipher, issuer: string, denialId: string, rec: { sk?: string; attrs: StoredRecord['attrs'] }, field: string): Promise<string> {
  const blob = rec.attrs[field];
  if (!(blob instanceof Uint8Array)) throw new Error('denial record without its document');
  return (await cipher.decrypt(blob, denialScope(issuer), fieldAad(denialPk(issuer, denialId), rec.sk!, field))).toString('utf8');
}

/** The issuer-signed JWS of one version (as it was signed, from its `V#` record), or null if there is no such version. */
export async function denialVersionJws(store: Store, cipher: PayloadCipher, issuer: string, denialId: string, version: number): Promise<string | null> {
  const rec = await store.get('documents', denialPk(issuer, denialId), versionSk(version));
  return rec ? decryptDenialField(cipher, issuer, denialId, rec, 'doc') : null;
}

/** The current version's document. */
export async function currentDenial(cipher: PayloadCipher, head: DenialHead): Promise<DenialDocument> {
  return trustedPayload(await decryptDenialField(cipher, head.issuer, head.denialId, { sk: HEAD_SK, attrs: head.attrs }, 'doc')) as unknown as DenialDocument;
}
