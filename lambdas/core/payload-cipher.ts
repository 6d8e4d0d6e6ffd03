/**
 * Envelope encryption of protocol.md §7: AES-256-GCM under a KMS data key whose encryption
 * context names the owner and document type, with the record's key as GCM additional
 * data, so a blob moved to another record fails to decrypt. Data keys are cached with a
 * bounded age and use count (one KMS call per many documents, not per document).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { IntegrityError } from './errors.ts';
import type { Clock, DataKeys } from './ports.ts';

export interface CipherScope {
  /** Data owner agency (or the exchange id for exchange secrets). */
  readonly owner: string;
  /** Document type, e.g. `license`, `response-key`. No names or numbers: context is visible in CloudTrail. */
  readonly type: string;
}

export interface CipherCacheLimits {
  readonly maxAgeMs: number;
  readonly maxUses: number;
  readonly maxEntries: number;
}

export const DEFAULT_CACHE_LIMITS: CipherCacheLimits = { maxAgeMs: 5 * 60_000, maxUses: 10_000, maxEntries: 200 };

interface CachedKey { key: Buffer; encrypted: Uint8Array; createdAt: number; uses: number }

const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

function contextOf(scope: CipherScope): Record<string, string> {
  return { corridor: 'v1', owner: scope.owner, type: scope.type };
}

export class PayloadCipher {
  private readonly encryptKeys = new Map<string, CachedKey>();
  private readonly decryptKeys = new Map<string, CachedKey>();
  /** Counters for benchmarks and the data-key cache hit-rate metric. */
  readonly stats = { kmsGenerate: 0, kmsDecrypt: 0, cacheHits: 0 };

  constructor(
    private readonly dataKeys: DataKeys,
    private readonly clock: Clock,
    private readonly limits: CipherCacheLimits = DEFAULT_CACHE_LIMITS,
  ) {}

  private fresh(entry: CachedKey | undefined): entry is CachedKey {
    return !!entry && entry.uses < this.limits.maxUses && this.clock.now() - entry.createdAt < this.limits.maxAgeMs;
  }

  private remember(map: Map<string, CachedKey>, id: string, entry: CachedKey): void {
    if (map.size >= this.limits.maxEntries) map.delete(map.keys().next().value as string);
    map.set(id, entry);
  }

  async encrypt(plaintext: Uint8Array | string, scope: CipherScope, aad: string): Promise<Uint8Array> {
    const id = `${scope.owner}\u0000${scope.type}`;
    let entry = this.encryptKeys.get(id);
    if (this.fresh(entry)) {
      this.stats.cacheHits++;
    } else {
      this.stats.kmsGenerate++;
      const dk = await this.dataKeys.generate(contextOf(scope));
      entry = { key: Buffer.from(dk.plaintext), encrypted: dk.encrypted, createdAt: this.clock.now(), uses: 0 };
      this.remember(this.encryptKeys, id, entry);
    }
    entry.uses++;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', entry.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const header = Buffer.alloc(3);
    header.writeUInt8(FORMAT, 0);
    header.writeUInt16BE(entry.encrypted.length, 1);
    return Buffer.concat([header, entry.encrypted, iv, body, cipher.getAuthTag()]);
  }

  async decrypt(blob: Uint8Array, scope: CipherScope, aad: string): Promise<Buffer> {
    const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    if (buf.length < 3 || buf.readUInt8(0) !== FORMAT) throw new IntegrityError('unknown envelope format');
    const edkLen = buf.readUInt16BE(1);
    const ivAt = 3 + edkLen;
    if (buf.length < ivAt + IV_BYTES + TAG_BYTES) throw new IntegrityError('truncated envelope');
    const edk = buf.subarray(3, ivAt);
    const id = `${scope.owner}\u0000${scope.type}\u0000${edk.toString('base64')}`;
    let entry = this.decryptKeys.get(id);
    if (this.fresh(entry)) {
      this.stats.cacheHits++;
    } else {
      this.stats.kmsDecrypt++;
      // The KMS adapter maps a context mismatch (blob moved to another owner) to IntegrityError.
      const key = Buffer.from(await this.dataKeys.decrypt(edk, contextOf(scope)));
      entry = { key, encrypted: edk, createdAt: this.clock.now(), uses: 0 };
      this.remember(this.decryptKeys, id, entry);
    }
    entry.uses++;
    const iv = buf.subarray(ivAt, ivAt + IV_BYTES);
    const tag = buf.subarray(buf.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(buf.subarray(ivAt + IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new IntegrityError('ciphertext does not authenticate for this record');
    }
  }
}
