/** Test key material: private JWKs shaped as `corridor keygen` writes them. */
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface TestKey { kid: string; privateJwk: JWK; publicJwk: JWK }

export async function makeKey(kid: string, alg: 'ES256' | 'EdDSA' = 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const pub = await exportJWK(publicKey);
  const priv = await exportJWK(privateKey);
  return { kid, privateJwk: { ...priv, kid, alg }, publicJwk: { ...pub, alg, use: 'sig' } };
}
