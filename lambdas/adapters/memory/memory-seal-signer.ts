/** In-memory SealSigner for unit tests: signs DER like KMS and converts, so the same path is exercised. */
import { generateKeyPairSync, sign } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { SealSigner } from '../../core/ports.ts';
import { derToJose } from '../aws/der-to-jose.ts';

export class MemorySealSigner implements SealSigner {
  private readonly pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  signs = 0;

  async publicKey(): Promise<{ kid: string; jwk: Record<string, unknown> }> {
    const jwk = this.pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const kid = `seal-${(await calculateJwkThumbprint(jwk)).slice(0, 16)}`;
    return { kid, jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
  }

  async sign(signingInput: Uint8Array): Promise<Uint8Array> {
    this.signs++;
    return derToJose(sign('sha256', signingInput, { key: this.pair.privateKey, dsaEncoding: 'der' }));
  }
}
