/**
 * Which events the seals already hold, for a span of ts: the ids of every seal whose events overlap it (seal-index.ts),
 * read from the seal records. Used before sealing events that another path may have sealed (the completeness check,
 * a stream batch retried for minutes), and by the check to find events sealed twice.
 */
import { sealsOverlapping } from './seal-index.ts';
import { sealFrom, sealPk } from './seals.ts';
import type { Store } from './ports.ts';

/** Seal records per batch read: a full seal is ~190 KB, and BatchGetItem answers at most 16 MB. */
const SEALS_PER_READ = 50;

export interface SealedIds {
  /** Every event id the overlapping seals hold. */
  sealed: Set<string>;
  /** Ids held by more than one seal, with the seqs holding them. */
  duplicates: Map<string, number[]>;
}

export async function sealedIdsOverlapping(store: Store, from: string, to: string): Promise<SealedIds> {
  const spans = await sealsOverlapping(store, from, to);
  const where = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i += SEALS_PER_READ) {
    const records = await store.getMany('audit', spans.slice(i, i + SEALS_PER_READ).map((s) => ({ pk: sealPk(s.seq) })));
    for (const r of records) {
      const seal = sealFrom(r);
      for (const id of seal.ids) {
        const seqs = where.get(id);
        if (seqs) seqs.push(seal.seq);
        else where.set(id, [seal.seq]);
      }
    }
  }
  return { sealed: new Set(where.keys()), duplicates: new Map([...where].filter(([, seqs]) => seqs.length > 1)) };
}

/** How far the seal index may lag its table: seals committed this recently are read by seq, not trusted to the index. */
export const INDEX_LAG_ALLOWANCE_MS = 60_000;
/** Recent seals read at most (at a seal a second, a minute's worth). */
const MAX_RECENT = 120;

/**
 * The seq to recheck from (commitSeal's `baseSeq`): the newest seal committed before the index lag allowance, so every
 * seal after it — possibly not yet listed by the eventually consistent index — is read by its key before sealing.
 * Only paid when something looked unsealed, which the stream path makes rare.
 */
export async function baseBeforeRecent(store: Store, last: number | undefined, now: number): Promise<number | null> {
  if (last === undefined) return null;
  let seq = last;
  for (let n = 0; seq >= 0 && n < MAX_RECENT; n++, seq--) {
    const r = await store.get('audit', sealPk(seq));
    if (!(Date.parse(String(r?.attrs.sealedAt)) >= now - INDEX_LAG_ALLOWANCE_MS)) break;
  }
  return seq < 0 ? null : seq;
}
