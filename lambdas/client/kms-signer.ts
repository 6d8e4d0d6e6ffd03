/**
 * Signing requests (and issuer documents) with an AWS KMS asymmetric key, so the agency's
 * private key never exists outside KMS: key spec ECC_NIST_P256, key usage SIGN_VERIFY,
 * `Sign` over the JWS signing input (MessageType RAW, ECDSA_SHA_256 — KMS hashes it, as
 * ES256 does), and the DER signature KMS returns turned into the r ‖ s that JWS wants.
 * Only ES256: KMS has no Ed25519 keys usable for EdDSA JWS here.
 *
 * A separate module (`corridor/kms`) so that JWK users do not load the AWS SDK.
 */
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { exportJWK, importSPKI, type JWK } from 'jose';
import { derToJose } from '../adapters/aws/der-to-jose.ts';
import type { RequestSigner } from './signing.ts';

export interface KmsSignerOptions {
  kms: KMSClient;
  /** Key id, ARN or alias of an ECC_NIST_P256 SIGN_VERIFY key. */
  keyId: string;
  /** The kid under which the key's public half is registered with the exchange. */
  kid: string;
}

export function kmsSigner({ kms, keyId, kid }: KmsSignerOptions): RequestSigner {
  return {
    kid,
    alg: 'ES256',
    async sign(signingInput: Uint8Array): Promise<Uint8Array> {
      const out = await kms.send(new SignCommand({ KeyId: keyId, Message: signingInput, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
      if (!out.Signature) throw new Error(`KMS returned no signature for key ${keyId}`);
      return derToJose(out.Signature);
    },
  };
}

/**
 * The public JWK of a KMS key, ready for `agency.register` / `agency.keys`
 * (`{kid, jwk}`); refuses keys that cannot sign ES256.
 */
export async function kmsPublicJwk({ kms, keyId, kid }: KmsSignerOptions): Promise<JWK> {
  const out = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  // Some KMS-compatible endpoints report only the older CustomerMasterKeySpec; the SPKI import
  // below refuses any key that is not P-256 whatever the metadata says.
  const spec = out.KeySpec ?? out.CustomerMasterKeySpec;
  const refuse = (): Error => new Error(`KMS key ${keyId} is ${spec ?? 'of unknown spec'}/${out.KeyUsage ?? 'unknown usage'}; ES256 needs ECC_NIST_P256 with SIGN_VERIFY`);
  if ((spec && spec !== 'ECC_NIST_P256') || (out.KeyUsage && out.KeyUsage !== 'SIGN_VERIFY') || !out.PublicKey) throw refuse();
  const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(out.PublicKey).toString('base64')}\n-----END PUBLIC KEY-----`;
  let jwk: JWK;
  try {
    jwk = await exportJWK(await importSPKI(pem, 'ES256', { extractable: true }));
  } catch {
    throw refuse();
  }
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' } as JWK;
}
