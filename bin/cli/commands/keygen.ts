/**
 * `corridor keygen`: a new ES256 or Ed25519 key pair as a private JWK file, or — with
 * --kms-key — the public JWK of a KMS key, so an agency whose key lives in KMS can register it.
 */
import { existsSync } from 'node:fs';
import { generatePrivateJwk, publicJwk, writeKeyFile, type KeyAlg } from '../../../lambdas/local/key-files.ts';
import { parse, str, UsageError } from '../context.ts';
import { EXIT, out } from '../output.ts';

export const help = `corridor keygen --kid KID --out FILE [--alg ES256|EdDSA]
corridor keygen --kid KID --kms-key KEY [--out FILE]
  Writes a private JWK (mode 0600) and prints its public JWK, ready for registration. With --kms-key
  (an ECC_NIST_P256 SIGN_VERIFY key; AWS_REGION and credentials from the environment) nothing secret is
  written: the key's public JWK goes to --out and stdout; sign later with --kms-key KEY --kid KID.
  Example: corridor keygen --kid de-bafa-2 --alg EdDSA --out keys/DE-BAFA-2.private.jwk.json`;

export async function run(argv: string[]): Promise<number> {
  const v = parse(argv, { out: { type: 'string' }, alg: { type: 'string', default: 'ES256' } });
  const kid = str(v, 'kid')!;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(kid)) throw new UsageError('--kid: 1-64 characters of A-Z a-z 0-9 . _ : -');
  const file = str(v, 'out', !v['kms-key']);
  if (file && existsSync(file)) throw new UsageError(`${file} exists; keys are never overwritten`);
  let pub;
  if (typeof v['kms-key'] === 'string') {
    const [{ KMSClient }, { kmsPublicJwk }] = await Promise.all([import('@aws-sdk/client-kms'), import('../../../lambdas/client/kms-signer.ts')]);
    const kms = new KMSClient({});
    try {
      pub = { kid, jwk: await kmsPublicJwk({ kms, keyId: v['kms-key'], kid }) };
    } finally {
      kms.destroy();
    }
    if (file) writeKeyFile(file, pub.jwk);
  } else {
    const alg = str(v, 'alg') as KeyAlg;
    if (alg !== 'ES256' && alg !== 'EdDSA') throw new UsageError('--alg must be ES256 or EdDSA');
    const jwk = await generatePrivateJwk(alg, kid);
    writeKeyFile(file!, jwk);
    pub = { kid, jwk: publicJwk(jwk) };
  }
  if (v.json) out(JSON.stringify({ ...pub, ...(file ? { file } : {}) }, null, 2));
  else {
    if (file) out(v['kms-key'] ? `public key of ${String(v['kms-key'])} written to ${file}` : `private key written to ${file} (keep it secret)`);
    out(`public key entry: ${JSON.stringify(pub)}`);
  }
  return EXIT.ok;
}
