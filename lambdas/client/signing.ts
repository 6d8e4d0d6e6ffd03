/** Client-side signing: request envelopes (PROTOCOL §2) and issuer documents (licenses, EUCs). */
import { randomBytes } from 'node:crypto';
import { CompactSign, importJWK, type JWK } from 'jose';

export interface SigningIdentity {
  agencyId: string;
  /** Private JWK with `kid` and `alg` (ES256 or EdDSA), as `corridor keygen` writes it. */
  privateJwk: JWK;
}

export interface RequestOptions {
  /** Seconds; defaults to now. */
  iat?: number;
  lifetime?: number;
  jti?: string;
}

const encoder = new TextEncoder();

export function newJti(): string {
  return randomBytes(18).toString('base64url');
}

async function sign(jwk: JWK, typ: string, payload: unknown): Promise<string> {
  if (!jwk.kid || (jwk.alg !== 'ES256' && jwk.alg !== 'EdDSA')) throw new Error('the private JWK needs kid and alg ES256 or EdDSA');
  const key = await importJWK(jwk, jwk.alg);
  return new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ }).sign(key);
}

export async function signRequest(id: SigningIdentity, aud: string, act: string, body: unknown, opts: RequestOptions = {}): Promise<{ jws: string; jti: string }> {
  const iat = opts.iat ?? Math.floor(Date.now() / 1000);
  const jti = opts.jti ?? newJti();
  const jws = await sign(id.privateJwk, 'corridor-request+jws', { iss: id.agencyId, aud, iat, exp: iat + (opts.lifetime ?? 120), jti, act, body });
  return { jws, jti };
}

export function signDocument(jwk: JWK, typ: 'corridor-license+jws' | 'corridor-euc+jws', document: unknown): Promise<string> {
  return sign(jwk, typ, document);
}
