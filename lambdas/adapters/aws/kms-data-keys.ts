/**
 * KmsDataKeys implements DataKeys with GenerateDataKey / Decrypt under the payload key and
 * an encryption context. A context mismatch (a blob moved to another owner) is an
 * integrity failure; anything else is a dependency failure. Both answer 503.
 */
import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, type KMSClient } from '@aws-sdk/client-kms';
import { DependencyError, IntegrityError } from '../../core/errors.ts';
import type { DataKeys } from '../../core/ports.ts';

export class KmsDataKeys implements DataKeys {
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  async generate(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; encrypted: Uint8Array }> {
    try {
      const out = await this.client.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }));
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('GenerateDataKey returned no key');
      return { plaintext: out.Plaintext, encrypted: out.CiphertextBlob };
    } catch (e) {
      throw new DependencyError('kms', e);
    }
  }

  async decrypt(encrypted: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    try {
      const out = await this.client.send(new DecryptCommand({ CiphertextBlob: encrypted, KeyId: this.keyId, EncryptionContext: { ...context } }));
      if (!out.Plaintext) throw new Error('Decrypt returned no plaintext');
      return out.Plaintext;
    } catch (e) {
      if (e instanceof InvalidCiphertextException) throw new IntegrityError('data key does not decrypt under this context');
      throw new DependencyError('kms', e);
    }
  }
}
