/**
 * Issuer-signed documents (licenses, end-use certificates) as stored in the documents
 * table. One partition per document: `CUR#HEAD` (current version, encrypted JWS, status),
 * `CUR#BALANCE` (encrypted quantities drawn, licenses only), `V#…` (every version),
 * `DRAWDOWN#…` (every drawdown), `DRAWSEQ#…` (one marker per drawdown, binding the balance to
 * them). A verification reads the two `CUR#` items with one
 * Query; a drawdown rewrites only the small balance. Ids, versions, status, digest, kid
 * and issuedAt are clear; documents, reasons and quantities are envelopes.
 */
import { IntegrityError } from './errors.ts';
import type { PayloadCipher, CipherScope } from './payload-cipher.ts';
import type { ReadOptions, Store, StoredRecord, Write } from './ports.ts';

export type DocumentKind = 'license' | 'euc';
export type DocumentStatus = 'active' | 'suspended' | 'revoked';

export interface KindSpec {
  readonly kind: DocumentKind;
  readonly pkPrefix: string;
  readonly typ: 'corridor-license+jws' | 'corridor-euc+jws';
  readonly idField: 'licenseId' | 'eucId';
  readonly ownerRole: 'licensing' | 'euc-issuer';
}

export const KINDS: Record<DocumentKind, KindSpec> = {
  license: { kind: 'license', pkPrefix: 'LICENSE', typ: 'corridor-license+jws', idField: 'licenseId', ownerRole: 'licensing' },
  euc: { kind: 'euc', pkPrefix: 'EUC', typ: 'corridor-euc+jws', idField: 'eucId', ownerRole: 'euc-issuer' },
};

type Attrs = Record<string, StoredRecord['attrs'][string]>;

export interface DocumentHead {
  spec: KindSpec;
  issuer: string;
  id: string;
  version: number;
  status: DocumentStatus;
  changedAt: string;
  digest: string;
  /** Key the issuer signed the current version with; checked against the registry on every query. */
  kid: string;
  issuedAt: string;
  /** Stored attributes, copied forward on every write. */
  attrs: Attrs;
  ver: number;
}

/**
 * The quantities drawn per line. `seq` is the number of drawdowns the balance sums, stored inside
 * its ciphertext and equal to its version, so an old ciphertext cannot stand under a newer version;
 * null for a balance written before the count existed.
 */
export interface Balance { drawn: Record<string, number>; ver: number | null; seq: number | null }

export const HEAD_SK = 'CUR#HEAD';
export const BALANCE_SK = 'CUR#BALANCE';
export const DRAWDOWN_PREFIX = 'DRAWDOWN#';
/**
 * `DRAWSEQ#<n>`: created (never overwritten, never deleted) with the n-th drawdown of a license, so
 * a balance of version n whose marker n+1 exists is a rolled-back copy. `DRAWSEQ#FROM` records the
 * first counted drawdown: after it, a balance without a count is a rollback too.
 */
export const drawSeqSk = (n: number): string => `DRAWSEQ#${String(n).padStart(10, '0')}`;
export const DRAWSEQ_FROM_SK = 'DRAWSEQ#FROM';
export const docPk = (spec: KindSpec, issuer: string, id: string): string => `${spec.pkPrefix}#${issuer}#${id}`;
export const versionSk = (v: number): string => `V#${String(v).padStart(10, '0')}`;
export const drawdownSk = (agency: string, declarationId: string): string => `${DRAWDOWN_PREFIX}${agency}#${declarationId}`;
export const docScope = (spec: KindSpec, issuer: string): CipherScope => ({ owner: issuer, type: spec.kind });
/** GCM additional data: the record's full key and the field, so a blob cannot move. */
export const fieldAad = (pk: string, sk: string, field: string): string => `documents/${pk}/${sk}/${field}`;

function headFrom(spec: KindSpec, issuer: string, id: string, rec: StoredRecord): DocumentHead {
  const a = rec.attrs;
  return {
    spec, issuer, id,
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

/** The current version and (licenses) the balance record, in one Query (strongly consistent unless `opts` say not). */
export async function getCurrent(store: Store, spec: KindSpec, issuer: string, id: string, opts?: ReadOptions): Promise<{ head: DocumentHead; balance: StoredRecord | null } | null> {
  const recs = await store.query('documents', docPk(spec, issuer, id), 'CUR#', opts);
  const head = recs.find((r) => r.sk === HEAD_SK);
  if (!head) return null;
  return { head: headFrom(spec, issuer, id, head), balance: recs.find((r) => r.sk === BALANCE_SK) ?? null };
}

export function headWrite(spec: KindSpec, issuer: string, id: string, attrs: Attrs, previousVer: number | null): Write {
  return {
    op: 'put',
    record: { table: 'documents', pk: docPk(spec, issuer, id), sk: HEAD_SK, attrs: { ...attrs, ver: previousVer === null ? 1 : previousVer + 1 } },
    condition: previousVer === null ? { kind: 'absent' } : { kind: 'version', equals: previousVer },
  };
}

/** Decrypt a blob field of a record of this document's partition. */
export async function decryptAt(cipher: PayloadCipher, spec: KindSpec, issuer: string, id: string, rec: { sk?: string; attrs: StoredRecord['attrs'] }, field: string): Promise<string | undefined> {
  const blob = rec.attrs[field];
  if (!(blob instanceof Uint8Array)) return undefined;
  const pk = docPk(spec, issuer, id);
  return (await cipher.decrypt(blob, docScope(spec, issuer), fieldAad(pk, rec.sk!, field))).toString('utf8');
}

export async function encryptAt(cipher: PayloadCipher, spec: KindSpec, issuer: string, id: string, sk: string, field: string, plaintext: string): Promise<Uint8Array> {
  return cipher.encrypt(plaintext, docScope(spec, issuer), fieldAad(docPk(spec, issuer, id), sk, field));
}

export async function readBalance(cipher: PayloadCipher, head: DocumentHead, rec: StoredRecord | null): Promise<Balance> {
  if (!rec) return { drawn: {}, ver: null, seq: null };
  const text = await decryptAt(cipher, head.spec, head.issuer, head.id, rec, 'drawn');
  const ver = Number(rec.attrs.ver);
  const parsed = (text ? JSON.parse(text) : {}) as { drawn?: Record<string, number>; seq?: number } & Record<string, number>;
  // Before the count, the plaintext was the map of lines alone (keys are line numbers, never `seq`).
  if (typeof parsed.seq !== 'number') return { drawn: parsed, ver, seq: null };
  if (parsed.seq !== ver) throw new IntegrityError(`the balance of ${head.spec.kind}:${head.issuer}/${head.id} holds count ${parsed.seq} under version ${ver}`);
  return { drawn: parsed.drawn ?? {}, ver, seq: parsed.seq };
}

/** The balance plaintext: the lines drawn and the number of drawdowns they sum (= the record's version). */
export function balancePlaintext(drawn: Record<string, number>, seq: number): string {
  return JSON.stringify({ drawn, seq });
}

/** The issuer-signed JWS of the current version. */
export async function currentJws(cipher: PayloadCipher, head: DocumentHead): Promise<string> {
  const jws = await decryptAt(cipher, head.spec, head.issuer, head.id, { sk: HEAD_SK, attrs: head.attrs }, 'doc');
  if (jws === undefined) throw new Error('document record without a document');
  return jws;
}
