/**
 * Hand-made JWS for attack tests: any header (alg none, extra members, duplicate members
 * as raw JSON text) signed with node:crypto, which jose would refuse to produce.
 */
import { createPrivateKey, sign } from 'node:crypto';
import type { JWK } from 'jose';

const seg = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Sign `header.payload` with a private JWK (ES256 as r‖s, or Ed25519); objects are JSON-encoded, strings used as-is. */
export function rawJws(privateJwk: JWK, header: unknown, payload: unknown): string {
  const input = `${seg(header)}.${seg(payload)}`;
  const key = createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const sig = privateJwk.kty === 'EC' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign(null, Buffer.from(input), key);
  return `${input}.${sig.toString('base64url')}`;
}
