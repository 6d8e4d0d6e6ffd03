/**
 * Client-side signing: request envelopes (protocol.md §2) and issuer documents (licenses, EUCs).
 * A compact JWS is assembled here once; what produces the signature over its signing input
 * is a `RequestSigner` — a private JWK in this process, or a key that never leaves KMS
 * (kms-signer.ts) — so both paths send byte-identical envelopes.
 */
import { createPrivateKey, randomBytes, sign as nodeSign, type JsonWebKeyInput } from 'node:crypto';
import type { JWK } from 'jose';

export type SigningAlg = 'ES256' | 'EdDSA';

/** Produces the JWS signature (ES256: r ‖ s, 64 bytes; EdDSA: 64 bytes) over the signing input. */
export interface RequestSigner {
  readonly kid: string;
  readonly alg: SigningAlg;
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}

/** An agency signing with a private JWK in this process, as `corridor keygen` writes it. */
export interface SigningIdentity {
  agencyId: string;
  /** Private JWK with `kid` and `alg` (ES256 or EdDSA). */
  privateJwk: JWK;
}

/** An agency signing through a RequestSigner (e.g. a KMS key). */
export interface SignerIdentity {
  agencyId: string;
  signer: RequestSigner;
}

export type ClientIdentity = SigningIdentity | SignerIdentity;

export interface RequestOptions {
  /** Seconds; defaults to now. */
  iat?: number;
  /** Seconds until `exp`; default 120 (the protocol allows at most 300). */
  lifetime?: number;
  jti?: string;
}

const encoder = new TextEncoder();
const b64u = (bytes: Uint8Array | string): string => Buffer.from(typeof bytes === 'string' ? encoder.encode(bytes) : bytes).toString('base64url');

export function newJti(): string {
  return randomBytes(18).toString('base64url');
}

/** A RequestSigner over a private JWK (EC P-256 for ES256, OKP Ed25519 for EdDSA). */
export function jwkSigner(jwk: JWK): RequestSigner {
  const kid = jwk.kid;
  const alg = jwk.alg === 'ES256' ? 'ES256' : jwk.alg === 'EdDSA' ? 'EdDSA' : undefined;
  if (!kid || !alg) throw new Error('the private JWK needs kid and alg ES256 or EdDSA');
  if (!jwk.d) throw new Error(`key ${kid} has no private part (d)`);
  const key = createPrivateKey({ key: jwk, format: 'jwk' } as JsonWebKeyInput);
  const expected = alg === 'ES256' ? 'ec' : 'ed25519';
  if (key.asymmetricKeyType !== expected || (alg === 'ES256' && jwk.crv !== 'P-256')) throw new Error(`key ${kid} does not fit alg ${alg}`);
  return {
    kid,
    alg,
    // ieee-p1363 is the JWS form of an ECDSA signature (r ‖ s), not DER.
    sign: async (input) => (alg === 'ES256' ? nodeSign('sha256', input, { key, dsaEncoding: 'ieee-p1363' }) : nodeSign(null, input, key)),
  };
}

export function signerOf(id: ClientIdentity): RequestSigner {
  return 'signer' in id ? id.signer : jwkSigner(id.privateJwk);
}

/** Compact JWS with exactly {alg, kid, typ} as the protected header (protocol.md §2). */
export async function compactJws(signer: RequestSigner, typ: string, payload: unknown): Promise<string> {
  const input = `${b64u(JSON.stringify({ alg: signer.alg, kid: signer.kid, typ }))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(await signer.sign(encoder.encode(input)))}`;
}

export async function signRequest(id: ClientIdentity, aud: string, act: string, body: unknown, opts: RequestOptions = {}): Promise<{ jws: string; jti: string }> {
  return signRequestWith(signerOf(id), id.agencyId, aud, act, body, opts);
}

export async function signRequestWith(signer: RequestSigner, iss: string, aud: string, act: string, body: unknown, opts: RequestOptions = {}): Promise<{ jws: string; jti: string }> {
  const iat = opts.iat ?? Math.floor(Date.now() / 1000);
  const jti = opts.jti ?? newJti();
  const jws = await compactJws(signer, 'corridor-request+jws', { iss, aud, iat, exp: iat + (opts.lifetime ?? 120), jti, act, body });
  return { jws, jti };
}

/** The `typ` of each document an agency signs itself (protocol.md §5). */
export type DocumentTyp = 'corridor-license+jws' | 'corridor-euc+jws' | 'corridor-psv-report+jws' | 'corridor-denial+jws';

/** An issuer document (license, end-use certificate, post-shipment verification report), signed with a private JWK or any RequestSigner. */
export function signDocument(key: JWK | RequestSigner, typ: DocumentTyp, document: unknown): Promise<string> {
  return compactJws('sign' in key && typeof key.sign === 'function' ? (key as RequestSigner) : jwkSigner(key as JWK), typ, document);
}
