/**
 * In-browser check of an `audit.proof` answer (protocol.md §6), trusting only the exchange's
 * published seal keys: the event's leaf recomputed from its content (RFC 9162 leaf over
 * RFC 8785 JCS), the inclusion path walked up to a root, and that root compared with the one
 * in a seal whose signature verifies. A port of lambdas/core/merkle.ts and
 * lambdas/client/audit-verify.ts (`verifyProof`) to WebCrypto, which has no Buffer. It needs no
 * DOM, so the e2e test also runs it in Node on altered proofs.
 */
import canonicalizeModule from 'canonicalize';
import { base64url, compactVerify, createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet } from 'jose';

// canonicalize ships CJS typings; bundled as ESM the function is the default export.
const canonicalize = canonicalizeModule as unknown as (value: unknown) => string | undefined;

export interface ProofAnswer { event: Record<string, unknown>; seal: string; leafIndex: number; path: string[] }
/** The seal's signed members; `sealedAt` since protocol revision 3 (older seals lack it), and members this page does not know are ignored. */
export interface SealPayload { exchangeId: string; seq: number; count: number; first: string; last: string; root: string; prev: string | null; sealedAt?: string }
/** What a proof is checked against: the exchange's id and published seal keys (a Discovery will do). */
export interface SealTrust { exchangeId: string; sealKeyIds: string[]; jwks: JSONWebKeySet }
/** `sealedAt`: when the seal was made (the event existed by then), when the seal says. */
export type ProofVerdict = { ok: true; seq: number; leafIndex: number; count: number; sealedAt?: string } | { ok: false; reason: string };

export function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalized');
  return text;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
}

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);
const nodeHash = (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> => sha256(NODE, left, right);

/** leaf = SHA-256(0x00 ‖ JCS(event without `hash`)), base64url. */
export async function eventLeafHash(event: Readonly<Record<string, unknown>>): Promise<string> {
  const { hash: _ignored, ...rest } = event;
  return base64url.encode(await sha256(LEAF, new TextEncoder().encode(jcs(rest))));
}

/** RFC 9162 §2.1.3.2: the root from a leaf, its index, the tree size and the path; null if the path does not fit. */
export async function rootFromPath(leaf: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): Promise<Uint8Array | null> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if ((fn & 1) === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while ((fn & 1) === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

/** The seal's signature, under a published seal key only, with the seal typ. */
export async function verifySeal(jws: string, d: SealTrust): Promise<SealPayload> {
  const { kid, typ } = decodeProtectedHeader(jws);
  if (typ !== 'corridor-seal+jws') throw new Error('its typ is not corridor-seal+jws');
  if (!kid || !d.sealKeyIds.includes(kid)) throw new Error(`kid '${kid}' is not a published seal key`);
  try {
    const { payload } = await compactVerify(jws, createLocalJWKSet(d.jwks), { algorithms: ['ES256'] });
    return JSON.parse(new TextDecoder().decode(payload)) as SealPayload;
  } catch {
    throw new Error('its signature does not verify against the exchange JWKS');
  }
}

/**
 * Verify a proof for the event the auditor clicked. `shown` is that event as the table shows
 * it: the proof must be about that very content, not merely about some event with its id.
 */
export async function verifyProof(p: ProofAnswer, shown: Readonly<Record<string, unknown>>, d: SealTrust): Promise<ProofVerdict> {
  const fail = (reason: string): ProofVerdict => ({ ok: false, reason });
  if (p.event.id !== shown.id) return fail(`the proof is for event ${String(p.event.id)}, not ${String(shown.id)}`);
  if (jcs(p.event) !== jcs(shown)) return fail('the proven event differs from the one listed');
  const leaf = await eventLeafHash(p.event);
  if (p.event.hash !== leaf) return fail('the event content does not match its hash (changed after it was written)');
  let seal: SealPayload;
  try {
    seal = await verifySeal(p.seal, d);
  } catch (e) {
    return fail(`the seal is not genuine: ${(e as Error).message}`);
  }
  if (seal.exchangeId !== d.exchangeId) return fail(`the seal is of exchange ${seal.exchangeId}`);
  let path: Uint8Array[];
  try {
    path = p.path.map((h) => base64url.decode(h));
  } catch {
    return fail('the inclusion path is not base64url');
  }
  const root = await rootFromPath(base64url.decode(leaf), p.leafIndex, seal.count, path);
  if (!root) return fail(`the inclusion path does not fit leaf ${p.leafIndex} of a tree of ${seal.count}`);
  if (base64url.encode(root) !== seal.root) return fail(`the inclusion path does not lead to seal ${seal.seq}'s signed root`);
  return { ok: true, seq: seal.seq, leafIndex: p.leafIndex, count: seal.count, ...(typeof seal.sealedAt === 'string' ? { sealedAt: seal.sealedAt } : {}) };
}
