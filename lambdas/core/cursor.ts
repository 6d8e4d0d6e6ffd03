/**
 * Cursors and page budgets of the list actions (audit.query, license.drawdowns, agreement.list; protocol.md §5
 * "Lists and cursors"). A cursor is where the next page starts, sealed by the exchange with AES-256-GCM under a key
 * derived per cursor from the exchange's cursor secret (cursor-keys.ts), the action, the caller and the request's
 * filters bound as additional data: it can be neither read, forged, nor used by another caller or with other
 * filters. It is opened in process, so a cursor the exchange did not make is refused 400 at /body/cursor before any
 * KMS call — changing any byte cannot make the exchange ask KMS (and so cannot turn into a 503).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { CURSOR_KID_BYTES, type CursorKeys } from './cursor-keys.ts';
import { refuse } from './errors.ts';
import { jcs } from './merkle.ts';
import type { ActionName } from './routes.ts';

/** Format 2; format 1 was audit.query's KMS-envelope cursor (its wrapped data key came first, so a changed byte meant a KMS call). */
const FORMAT = 2;
const NONCE_BYTES = 16;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + CURSOR_KID_BYTES + NONCE_BYTES;
/** Each derived key seals exactly one cursor, so a fixed IV never repeats under a key. */
const IV = Buffer.alloc(12);

/** What a cursor is bound to: it opens only for the same action, caller and filters. */
export interface CursorBinding {
  readonly act: ActionName;
  readonly caller: string;
  /** The request's filters exactly as sent (never `cursor` or `limit`: a caller may change its page size). */
  readonly filters: Readonly<Record<string, unknown>>;
}

const additionalData = (header: Buffer, b: CursorBinding): Buffer =>
  Buffer.concat([header, Buffer.from(`\n${b.act}\n${b.caller}\n${jcs(b.filters)}`, 'utf8')]);

const cursorKey = (secret: Buffer, nonce: Buffer): Buffer => Buffer.from(hkdfSync('sha256', secret, nonce, 'corridor cursor v2', 32));

/** Seal `position` (never trade data the caller was not given) as an opaque base64url cursor. */
export async function sealCursor(keys: CursorKeys, binding: CursorBinding, position: Readonly<Record<string, unknown>>): Promise<string> {
  const { kid, secret } = await keys.forSealing();
  const nonce = randomBytes(NONCE_BYTES);
  const header = Buffer.concat([Buffer.from([FORMAT]), kid, nonce]);
  const c = createCipheriv('aes-256-gcm', cursorKey(secret, nonce), IV).setAAD(additionalData(header, binding));
  const body = Buffer.concat([c.update(JSON.stringify(position), 'utf8'), c.final()]);
  return Buffer.concat([header, body, c.getAuthTag()]).toString('base64url');
}

function notACursor(): never {
  refuse('ERR_BODY_INVALID', 'cursor is not valid for this caller and these filters', [{ pointer: '/body/cursor', detail: 'not a cursor of this query' }]);
}

/**
 * The position a cursor holds, or a 400 at /body/cursor when the exchange did not make it for this binding. Only the
 * exchange's own cursor secret is consulted (in memory after the process's first cursor), never the cursor's bytes.
 */
export async function openCursor<T>(keys: CursorKeys, binding: CursorBinding, cursor: string): Promise<T> {
  const buf = Buffer.from(cursor, 'base64url');
  // Canonical base64url only: one cursor, one spelling.
  if (buf.length <= HEADER_BYTES + TAG_BYTES || buf[0] !== FORMAT || buf.toString('base64url') !== cursor) notACursor();
  const header = buf.subarray(0, HEADER_BYTES);
  const secret = await keys.forOpening(header.subarray(1, 1 + CURSOR_KID_BYTES));
  if (!secret) notACursor();
  const d = createDecipheriv('aes-256-gcm', cursorKey(secret, header.subarray(1 + CURSOR_KID_BYTES)), IV).setAAD(additionalData(header, binding));
  d.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  try {
    return JSON.parse(Buffer.concat([d.update(buf.subarray(HEADER_BYTES, buf.length - TAG_BYTES)), d.final()]).toString('utf8')) as T;
  } catch {
    return notACursor();
  }
}

/** The most a list answer's result carries, in JSON bytes: ~1.4 MB once signed, far below Lambda's 6 MB response limit. */
export const MAX_PAGE_BYTES = 1024 * 1024;

/** Counts a page's items and their JSON bytes. The first item always fits (every item is far smaller than the cap), so each page makes progress. */
export class PageBudget {
  private count = 0;
  private bytes = 0;

  constructor(private readonly maxItems: number, private readonly maxBytes = MAX_PAGE_BYTES) {}

  /** Whether another item could fit at all (count only). */
  get full(): boolean {
    return this.count >= this.maxItems;
  }

  /** Count `item` in if it fits by count and bytes; false leaves the page as it was. */
  admit(item: unknown): boolean {
    const size = Buffer.byteLength(JSON.stringify(item), 'utf8') + 1; // and its comma
    if (this.full || (this.count > 0 && this.bytes + size > this.maxBytes)) return false;
    this.count++;
    this.bytes += size;
    return true;
  }
}
