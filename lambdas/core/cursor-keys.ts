/**
 * The exchange's cursor secret (protocol.md §5 "Cursors"): 32 random bytes made on first use, stored only
 * KMS-envelope-encrypted in the registry (`EXCHANGE` / `CURSOR_KEY`, a conditional put so two cold starts cannot
 * race), unwrapped once per process and held in memory. Every cursor names the secret's kid, so opening a cursor
 * costs no KMS call: a forged one is refused before the exchange asks KMS anything. Replacing the item (a new kid)
 * retires the secret: a process re-reads it at most once per `recheckMs` and keeps the few secrets it already holds,
 * so cursors in flight still open where they were made. Not an audited key: it signs no evidence and is never
 * published; a lost or replaced secret only makes outstanding cursors answer 400 (restart from the first page).
 */
import { randomBytes } from 'node:crypto';
import type { CipherScope, PayloadCipher } from './payload-cipher.ts';
import { WriteConflict, type Clock, type Store, type StoredRecord } from './ports.ts';

const PK = 'EXCHANGE';
const SK = 'CURSOR_KEY';
const AAD = `registry/${PK}/${SK}/secret`;
/** Bytes of the kid each cursor carries. */
export const CURSOR_KID_BYTES = 8;
/** Secrets a process keeps (the current one and a few it replaced). */
const MAX_KNOWN = 4;

export interface CursorSecret { readonly kid: Buffer; readonly secret: Buffer }

export class CursorKeys {
  private current: CursorSecret | null = null;
  private readonly known = new Map<string, Buffer>();
  private checkedAt = Number.NEGATIVE_INFINITY;
  private readonly scope: CipherScope;

  constructor(
    private readonly store: Store,
    private readonly cipher: PayloadCipher,
    private readonly clock: Clock,
    exchangeId: string,
    /** How often a process re-reads the stored secret (to follow a replacement, or a kid it does not know). */
    private readonly recheckMs = 60_000,
  ) {
    this.scope = { owner: exchangeId, type: 'cursor-key' };
  }

  /** The secret new cursors are sealed with; made by the first call that needs one. */
  async forSealing(): Promise<CursorSecret> {
    if (this.current && !this.due()) return this.current;
    try {
      await this.load(true);
    } catch (e) {
      if (!this.current) throw e; // a failed re-read keeps sealing with the secret in memory
    }
    return this.current!;
  }

  /**
   * The secret a cursor names, or null when the exchange has none by that kid. Never creates one, and an unknown kid
   * costs at most one registry read per `recheckMs` (a KMS call only if the stored secret really is new).
   */
  async forOpening(kid: Uint8Array): Promise<Buffer | null> {
    const hex = Buffer.from(kid).toString('hex');
    const held = this.known.get(hex);
    if (held || !this.due()) return held ?? null;
    await this.load(false);
    return this.known.get(hex) ?? null;
  }

  private due(): boolean {
    return this.clock.now() - this.checkedAt >= this.recheckMs;
  }

  private async load(create: boolean): Promise<void> {
    let rec = await this.store.get('registry', PK, SK);
    if (!rec && create) rec = await this.create();
    this.checkedAt = this.clock.now();
    if (!rec) return;
    const hex = String(rec.attrs.kid);
    let secret = this.known.get(hex);
    if (!secret) {
      secret = await this.cipher.decrypt(rec.attrs.secret as Uint8Array, this.scope, AAD);
      if (this.known.size >= MAX_KNOWN) this.known.delete(this.known.keys().next().value as string);
      this.known.set(hex, secret);
    }
    this.current = { kid: Buffer.from(hex, 'hex'), secret };
  }

  private async create(): Promise<StoredRecord> {
    const attrs = {
      kid: randomBytes(CURSOR_KID_BYTES).toString('hex'),
      secret: await this.cipher.encrypt(randomBytes(32), this.scope, AAD),
      createdAt: new Date(this.clock.now()).toISOString(),
    };
    try {
      await this.store.commit([{ op: 'put', record: { table: 'registry', pk: PK, sk: SK, attrs }, condition: { kind: 'absent' } }]);
    } catch (e) {
      if (!(e instanceof WriteConflict)) throw e; // another cold start made it first: use that one
    }
    const rec = await this.store.get('registry', PK, SK);
    if (!rec) throw new Error('cursor key missing after create');
    return rec;
  }
}
