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
  if (out.KeySpec !== 'ECC_NIST_P256' || out.KeyUsage !== 'SIGN_VERIFY') throw new Error(`KMS key ${keyId} is ${out.KeySpec}/${out.KeyUsage}; ES256 needs ECC_NIST_P256 with SIGN_VERIFY`);
  const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(out.PublicKey!).toString('base64')}\n-----END PUBLIC KEY-----`;
  const { kty, crv, x, y } = await exportJWK(await importSPKI(pem, 'ES256', { extractable: true }));
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } as JWK;
}
