/**
 * `corridor keygen`: a new ES256 or Ed25519 key pair — the private JWK file and its public JWK
 * beside it, for the operator — or, with --kms-key, the public JWK of a KMS key, so an agency
 * whose key lives in KMS can register it.
 */
import { existsSync } from 'node:fs';
import type { JWK } from 'jose';
import { generatePrivateJwk, publicFileFor, publicKeyEntryJwk, writeKeyFile, writePublicKeyFile, type KeyAlg } from '../../../lambdas/local/key-files.ts';
import { parse, str, UsageError } from '../context.ts';
import { EXIT, out } from '../output.ts';

export const help = `corridor keygen --kid KID --out FILE [--public-out FILE] [--alg ES256|EdDSA]
corridor keygen --kid KID --kms-key KEY [--out FILE]
  Writes a private JWK (mode 0600) to --out and its public JWK (with kid and alg) to --public-out, by
  default beside it (X.private.jwk.json → X.public.jwk.json), and prints the public key entry. The public
  file or the printed entry is what goes to the operator: \`agency register --key-file\` takes either.
  With --kms-key (an ECC_NIST_P256 SIGN_VERIFY key; AWS_REGION and credentials from the environment)
  nothing secret is written: the key's public JWK goes to --out and stdout; sign later with --kms-key KEY --kid KID.
  Example: corridor keygen --kid de-bafa-2 --alg EdDSA --out keys/DE-BAFA-2.private.jwk.json`;

async function kmsPublic(keyId: string, kid: string): Promise<JWK> {
  const [{ KMSClient }, { kmsPublicJwk }] = await Promise.all([import('@aws-sdk/client-kms'), import('../../../lambdas/client/kms-signer.ts')]);
  const kms = new KMSClient({});
  try {
    return await kmsPublicJwk({ kms, keyId, kid });
  } finally {
    kms.destroy();
  }
}

export async function run(argv: string[]): Promise<number> {
  const v = parse(argv, { out: { type: 'string' }, 'public-out': { type: 'string' }, alg: { type: 'string', default: 'ES256' } }, (x) => (x['kms-key'] ? ['kid'] : ['kid', 'out']));
  const kid = str(v, 'kid')!;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(kid)) throw new UsageError('--kid: 1-64 characters of A-Z a-z 0-9 . _ : -');
  const kmsKey = str(v, 'kms-key', false);
  const alg = str(v, 'alg') as KeyAlg;
  if (!kmsKey && alg !== 'ES256' && alg !== 'EdDSA') throw new UsageError('--alg must be ES256 or EdDSA');
  // With --kms-key, --out is the public file (there is no private one).
  const privateFile = kmsKey ? undefined : str(v, 'out')!;
  const publicFile = str(v, 'public-out', false) ?? (kmsKey ? str(v, 'out', false) : publicFileFor(privateFile!));
  if (privateFile && privateFile === publicFile) throw new UsageError('--public-out must differ from --out');
  for (const f of [privateFile, publicFile]) if (f && existsSync(f)) throw new UsageError(`${f} exists; keys are never overwritten`);
  let pub: JWK;
  if (kmsKey) pub = await kmsPublic(kmsKey, kid);
  else {
    const jwk = await generatePrivateJwk(alg, kid);
    writeKeyFile(privateFile!, jwk, true);
    pub = publicKeyEntryJwk(jwk);
  }
  if (publicFile) writePublicKeyFile(publicFile, pub);
  const entry = { kid, jwk: Object.fromEntries(Object.entries(pub).filter(([k]) => k !== 'kid')) };
  if (v.json) out(JSON.stringify({ ...entry, ...(privateFile ? { file: privateFile } : {}), ...(publicFile ? { publicFile } : {}) }, null, 2));
  else {
    if (privateFile) out(`private key written to ${privateFile} (keep it secret)`);
    if (publicFile) out(kmsKey ? `public key of ${kmsKey} written to ${publicFile}` : `public key written to ${publicFile} (for the operator: this file, or the entry below)`);
    out(`public key entry: ${JSON.stringify(entry)}`);
  }
  return EXIT.ok;
}
