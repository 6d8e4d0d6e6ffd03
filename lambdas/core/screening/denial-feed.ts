/**
 * The screening feed (docs/screening.md "Freshness"): every change to a denial — notified, amended, revoked —
 * appends one entry to the documents partition `DENIALFEED`, in the same transaction as the change, under a head
 * that counts them. Entries are numbered without gaps (`E#<seq>`, the head put is conditioned on the count read),
 * so a process that has applied entries up to n brings its index up to date by reading the head (one strongly
 * consistent GetItem) and, when the head moved, the entries after n. An entry carries what screening needs of the
 * denial — parties and control-list entries — encrypted under the issuer's data key; ids, version, digest,
 * validity and status are clear.
 */
import { fieldAad } from '../documents.ts';
import { denialScope, type DenialStatus } from '../denials.ts';
import type { PayloadCipher } from '../payload-cipher.ts';
import type { Store, StoredRecord, Write } from '../ports.ts';
import type { ListedParty, ScreenedDenial } from './name-index.ts';

export const FEED_PK = 'DENIALFEED';
const HEAD_SK = 'HEAD';
const ENTRY_PREFIX = 'E#';
const entrySk = (seq: number): string => `${ENTRY_PREFIX}${String(seq).padStart(12, '0')}`;

/** How many entries exist; `ver` null while the feed has none. */
export interface FeedHead { seq: number; ver: number | null }

/** One change: the denial as screening sees it (`status` revoked: no parties, it leaves the index). */
export interface FeedChange {
  issuer: string;
  denialId: string;
  version: number;
  digest: string;
  validUntil: string;
  status: DenialStatus;
  parties?: ListedParty[];
  items?: string[];
}

export async function readFeedHead(store: Store): Promise<FeedHead> {
  const rec = await store.get('documents', FEED_PK, HEAD_SK);
  return rec ? { seq: Number(rec.attrs.seq), ver: Number(rec.attrs.ver) } : { seq: 0, ver: null };
}

/** The head and entry puts that append `change` after `head` (a conflict means another change came first: re-read). */
export async function feedWrites(cipher: PayloadCipher, head: FeedHead, change: FeedChange, at: string): Promise<Write[]> {
  const seq = head.seq + 1;
  const sk = entrySk(seq);
  const attrs: Record<string, StoredRecord['attrs'][string]> = {
    issuer: change.issuer, denialId: change.denialId, version: change.version, digest: change.digest,
    validUntil: change.validUntil, status: change.status, at,
  };
  if (change.status === 'active') {
    const screen = JSON.stringify({ parties: change.parties ?? [], items: change.items ?? [] });
    attrs.screen = await cipher.encrypt(screen, denialScope(change.issuer), fieldAad(FEED_PK, sk, 'screen'));
  }
  return [
    {
      op: 'put',
      record: { table: 'documents', pk: FEED_PK, sk: HEAD_SK, attrs: { seq, ver: head.ver === null ? 1 : head.ver + 1 } },
      condition: head.ver === null ? { kind: 'absent' } : { kind: 'version', equals: head.ver },
    },
    { op: 'put', record: { table: 'documents', pk: FEED_PK, sk, attrs }, condition: { kind: 'absent' } },
  ];
}

export interface FeedEntry { seq: number; issuer: string; denialId: string; denial: ScreenedDenial | null }

/** Up to `limit` entries after `afterSeq`, in order, decrypted (`denial` null for a revocation). */
export async function readFeed(store: Store, cipher: PayloadCipher, afterSeq: number, limit: number): Promise<FeedEntry[]> {
  const recs = await store.queryPage('documents', { pk: FEED_PK, skPrefix: ENTRY_PREFIX, ...(afterSeq > 0 ? { after: entrySk(afterSeq) } : {}), limit });
  const out: FeedEntry[] = [];
  for (const r of recs) {
    const a = r.attrs;
    const seq = Number(r.sk!.slice(ENTRY_PREFIX.length));
    const issuer = String(a.issuer);
    const denialId = String(a.denialId);
    let denial: ScreenedDenial | null = null;
    if (a.status === 'active' && a.screen instanceof Uint8Array) {
      const s = JSON.parse((await cipher.decrypt(a.screen, denialScope(issuer), fieldAad(FEED_PK, r.sk!, 'screen'))).toString('utf8')) as { parties: ListedParty[]; items: string[] };
      denial = { issuer, denialId, version: Number(a.version), digest: String(a.digest), validUntil: String(a.validUntil), parties: s.parties, items: s.items };
    }
    out.push({ seq, issuer, denialId, denial });
  }
  return out;
}
