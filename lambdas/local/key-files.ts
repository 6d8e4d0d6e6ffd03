/**
 * JWK files as `corridor keygen` writes them: the private JWK (kid and alg inside, mode 0600) and its public
 * half beside it, and the public key entry `{"kid", "jwk"}` that keygen prints — any of them names a key.
 */
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

/** The public JWK with its kid, as a partner hands it to the operator. */
export const publicKeyEntryJwk = (priv: JWK): JWK => ({ ...publicJwk(priv), kid: priv.kid });

/** Where keygen puts the public half of `privateFile`: `X.private.jwk.json` (or `X.jwk.json`, `X.json`) → `X.public.jwk.json`. */
export function publicFileFor(privateFile: string): string {
  return `${privateFile.replace(/(\.private)?(\.jwk)?\.json$/, '')}.public.jwk.json`;
}

/** A private key file: mode 0600 in a 0700 directory. `exclusive` refuses to replace an existing file. */
export function writeKeyFile(path: string, jwk: JWK, exclusive = false): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: exclusive ? 'wx' : 'w' });
}

/** A public key file: nothing secret in it, so readable by whoever passes it on. */
export function writePublicKeyFile(path: string, jwk: JWK): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
}

/**
 * A key file: a JWK with kid and alg (private or public), or the public key entry `{"kid", "jwk"}` that
 * `corridor keygen` prints (the form a partner sends; the kid outside the JWK names it).
 */
export function readKeyFile(path: string): JWK {
  const read = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const entry = typeof read.jwk === 'object' && read.jwk !== null && !Array.isArray(read.jwk);
  if (entry && typeof read.kty === 'string') throw new Error(`${path}: either a JWK or a key entry {"kid", "jwk"}, not both`);
  const inner = entry ? (read.jwk as JWK) : (read as JWK);
  if (entry && inner.kid !== undefined && inner.kid !== read.kid) throw new Error(`${path}: the entry's kid ${String(read.kid)} differs from its JWK's kid ${inner.kid}`);
  const jwk: JWK = entry ? { ...inner, kid: read.kid as string } : inner;
  if (typeof jwk.kid !== 'string' || !jwk.kid || typeof jwk.alg !== 'string' || !jwk.alg) {
    throw new Error(`${path}: a key file needs kid and alg — a JWK with both (as \`corridor keygen\` writes it) or the public key entry {"kid", "jwk": {…, "alg"}} it prints`);
  }
  return jwk;
}

/** Reuse the key file at `path`, or create it: local state restarts fresh, identities do not. */
export async function loadOrCreateKey(path: string, alg: KeyAlg, kid: string): Promise<JWK> {
  if (existsSync(path)) return readKeyFile(path);
  const jwk = await generatePrivateJwk(alg, kid);
  writeKeyFile(path, jwk);
  return jwk;
}
