/**
 * KmsSealSigner implements SealSigner with a KMS ECC_NIST_P256 key: Sign (RAW message,
 * ECDSA_SHA_256) returns DER, converted to the JWS r ‖ s form; the public key comes from
 * GetPublicKey once per process. Failures are dependency failures (the sealer retries).
 */
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { calculateJwkThumbprint, exportJWK, importSPKI } from 'jose';
import { DependencyError } from '../../core/errors.ts';
import type { SealSigner } from '../../core/ports.ts';
import { derToJose } from './der-to-jose.ts';

export class KmsSealSigner implements SealSigner {
  private key: Promise<{ kid: string; jwk: Record<string, unknown> }> | null = null;
  /** KMS Sign calls made (one per seal; the benchmark and tests read it). */
  signs = 0;

  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  publicKey(): Promise<{ kid: string; jwk: Record<string, unknown> }> {
    this.key ??= (async () => {
      try {
        const out = await this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
        const pem = `-----BEGIN PUBLIC KEY-----\n${Buffer.from(out.PublicKey!).toString('base64')}\n-----END PUBLIC KEY-----`;
        const jwk = await exportJWK(await importSPKI(pem, 'ES256', { extractable: true }));
        const kid = `seal-${(await calculateJwkThumbprint(jwk)).slice(0, 16)}`;
        return { kid, jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
      } catch (e) {
        this.key = null;
        throw new DependencyError('kms', e);
      }
    })();
    return this.key;
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    this.signs++;
    try {
      const out = await this.client.send(new SignCommand({ KeyId: this.keyId, Message: signingInput, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
      return derToJose(out.Signature!);
    } catch (e) {
      throw new DependencyError('kms', e);
    }
  }
}
