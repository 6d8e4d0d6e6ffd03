/** `corridor keygen`: a new ES256 or Ed25519 key pair as a private JWK file; prints the public JWK. */
import { existsSync } from 'node:fs';
import { generatePrivateJwk, publicJwk, writeKeyFile, type KeyAlg } from '../../../lambdas/local/key-files.ts';
import { parse, str, UsageError } from '../context.ts';
import { EXIT, out } from '../output.ts';

export const help = `corridor keygen --kid KID --out FILE [--alg ES256|EdDSA]
  Writes a private JWK (mode 0600) and prints its public JWK, ready for registration.
  Example: corridor keygen --kid de-bafa-2 --alg EdDSA --out keys/DE-BAFA-2.private.jwk.json`;

export async function run(argv: string[]): Promise<number> {
  const v = parse(argv, { kid: { type: 'string' }, out: { type: 'string' }, alg: { type: 'string', default: 'ES256' } });
  const alg = str(v, 'alg') as KeyAlg;
  if (alg !== 'ES256' && alg !== 'EdDSA') throw new UsageError('--alg must be ES256 or EdDSA');
  const kid = str(v, 'kid')!;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(kid)) throw new UsageError('--kid: 1-64 characters of A-Z a-z 0-9 . _ : -');
  const file = str(v, 'out')!;
  if (existsSync(file)) throw new UsageError(`${file} exists; keys are never overwritten`);
  const jwk = await generatePrivateJwk(alg, kid);
  writeKeyFile(file, jwk);
  const pub = { kid, jwk: publicJwk(jwk) };
  if (v.json) out(JSON.stringify(pub, null, 2));
  else {
    out(`private key written to ${file} (keep it secret)`);
    out(`public key entry: ${JSON.stringify(pub)}`);
  }
  return EXIT.ok;
}
