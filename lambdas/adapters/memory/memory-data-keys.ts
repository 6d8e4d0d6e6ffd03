/**
 * In-memory DataKeys for unit tests: data keys wrapped with AES-GCM under a process key,
 * the encryption context bound as additional data, like KMS refuses a wrong context.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { IntegrityError } from '../../core/errors.ts';
import type { DataKeys } from '../../core/ports.ts';

const contextAad = (c: Readonly<Record<string, string>>): Buffer => Buffer.from(JSON.stringify(Object.entries(c).sort()));

export class MemoryDataKeys implements DataKeys {
  private readonly master = randomBytes(32);
  readonly calls = { generate: 0, decrypt: 0 };
  failWith: Error | null = null;

  async generate(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; encrypted: Uint8Array }> {
    this.calls.generate++;
    if (this.failWith) throw this.failWith;
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.master, iv).setAAD(contextAad(context));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return { plaintext, encrypted: Buffer.concat([iv, body, c.getAuthTag()]) };
  }

  async decrypt(encrypted: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    this.calls.decrypt++;
    if (this.failWith) throw this.failWith;
    const buf = Buffer.from(encrypted);
    const d = createDecipheriv('aes-256-gcm', this.master, buf.subarray(0, 12)).setAAD(contextAad(context));
    d.setAuthTag(buf.subarray(buf.length - 16));
    try {
      return Buffer.concat([d.update(buf.subarray(12, buf.length - 16)), d.final()]);
    } catch {
      throw new IntegrityError('data key does not decrypt under this context');
    }
  }
}
