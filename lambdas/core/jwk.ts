/**
 * Checks a public JWK offered for registration beyond its schema: the point must be on
 * the curve (jose imports it), a `kid` inside the JWK must equal the entry's kid, and the
 * stored form carries only public members.
 */
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import type { AgencyKey, SigningAlg } from './agencies.ts';
import { refuse } from './errors.ts';

export async function acceptPublicKey(kid: string, jwk: JWK, pointer: string, now: string): Promise<AgencyKey> {
  if (jwk.kid !== undefined && jwk.kid !== kid) refuse('ERR_BODY_INVALID', `jwk.kid differs from kid '${kid}'`, [{ pointer, detail: 'jwk.kid must equal kid' }]);
  const alg = jwk.alg as SigningAlg;
  const pub: JWK = jwk.kty === 'EC' ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'OKP', crv: jwk.crv, x: jwk.x };
  try {
    await importJWK(pub, alg);
  } catch {
    refuse('ERR_BODY_INVALID', `key '${kid}' is not a valid ${alg} public key`, [{ pointer, detail: 'not a valid public key' }]);
  }
  return { kid, jwk: { ...pub, alg, use: 'sig' }, alg, thumbprint: await calculateJwkThumbprint(pub, 'sha256'), status: 'active', addedAt: now };
}
