/** Private JWK files as `corridor keygen` writes them: kid and alg inside, mode 0600. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export type KeyAlg = 'ES256' | 'EdDSA';

export async function generatePrivateJwk(alg: KeyAlg, kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

/** The public half: only the members a verifier needs (no `d`). */
export function publicJwk(priv: JWK): JWK {
  const pub: JWK = priv.kty === 'EC' ? { kty: 'EC', crv: priv.crv, x: priv.x, y: priv.y } : { kty: 'OKP', crv: priv.crv, x: priv.x };
  return { ...pub, alg: priv.alg, use: 'sig' };
}

export function writeKeyFile(path: string, jwk: JWK): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600 });
}

export function readKeyFile(path: string): JWK {
  const jwk = JSON.parse(readFileSync(path, 'utf8')) as JWK;
  if (!jwk.kid || !jwk.alg) throw new Error(`${path}: a key file needs kid and alg (write one with \`corridor keygen\`)`);
  return jwk;
}

/** Reuse the key file at `path`, or create it: local state restarts fresh, identities do not. */
export async function loadOrCreateKey(path: string, alg: KeyAlg, kid: string): Promise<JWK> {
  if (existsSync(path)) return readKeyFile(path);
  const jwk = await generatePrivateJwk(alg, kid);
  writeKeyFile(path, jwk);
  return jwk;
}
