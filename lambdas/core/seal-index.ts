/**
 * Where the seal of an event is found (protocol.md §6), now that sealing no longer rewrites the event: every seal
 * record enters the audit table's `byTime` index under a partition of its own, keyed by the time span of its events.
 * Seal records carry no `event` attribute, so their index entries hold only keys (a few dozen bytes, one per seal).
 *
 * - A *narrow* seal (every event of the batch at most NARROW_SPAN_SECONDS old when sealed; the stream sealer's usual
 *   seal) sits in `S#<day of its newest ts>`, sorted by `<maxTs>#<minTs>#<seq>`: the seal of an event at `t` has
 *   maxTs in [t, t + NARROW_SPAN_SECONDS], a range of a few pages at most.
 * - A *wide* seal (older events: a retried stream batch, the completeness check's catch-up, a backdated write) holds
 *   events of one day only and sits in `W#<that day>`, sorted by `<minTs>#<maxTs>#<seq>`. Wide seals are rare.
 */
import type { Store } from './ports.ts';
import { isoNow } from './services.ts';

/** The widest span of ts a narrow seal may hold. The stream sealer seals younger events at once; anything older is checked against the seals first. */
export const NARROW_SPAN_SECONDS = 150;

const DAY = 86_400_000;
export const dayOf = (ts: string): string => ts.slice(0, 10);

export interface SealSpan { seq: number; minTs: string; maxTs: string; wide: boolean }

const seqKey = (seq: number): string => String(seq).padStart(12, '0');

/** The index attributes of a seal record (its `tbucket` and `tsId`). */
export function sealIndexAttrs(span: SealSpan): { tbucket: string; tsId: string } {
  return span.wide
    ? { tbucket: `W#${dayOf(span.minTs)}`, tsId: `${span.minTs}#${span.maxTs}#${seqKey(span.seq)}` }
    : { tbucket: `S#${dayOf(span.maxTs)}`, tsId: `${span.maxTs}#${span.minTs}#${seqKey(span.seq)}` };
}

function spanOf(tbucket: string, tsId: string): SealSpan {
  const [a, b, seq] = tsId.split('#') as [string, string, string];
  const wide = tbucket.startsWith('W#');
  return { seq: Number(seq), minTs: wide ? a : b, maxTs: wide ? b : a, wide };
}

/** Index queries one lookup may spend: a busy day's narrow seals over a few minutes, plus the wide ones. */
export const MAX_SEAL_INDEX_QUERIES = 40;

export class SealIndexBudgetExceeded extends Error {
  constructor() {
    super('the seal index lookup spent its query budget');
    this.name = 'SealIndexBudgetExceeded';
  }
}

const days = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = Date.parse(`${dayOf(from)}T00:00:00.000Z`); d <= Date.parse(to); d += DAY) out.push(isoNow(d).slice(0, 10));
  return out;
};

/**
 * Every seal whose events' ts span overlaps [from, to] (ISO instants), from the index. The index is eventually
 * consistent: a seal committed in the last moments may be missing, which callers allow for (seal-commit.ts rechecks the
 * seals appended since the head it read).
 */
export async function sealsOverlapping(store: Store, from: string, to: string, budget = { queries: MAX_SEAL_INDEX_QUERIES }): Promise<SealSpan[]> {
  const out: SealSpan[] = [];
  const narrowUntil = isoNow(Date.parse(to) + NARROW_SPAN_SECONDS * 1000);
  const scan = async (partition: string, after: string | undefined, until: string, keep: (s: SealSpan) => boolean): Promise<void> => {
    let next: string | undefined;
    do {
      if (budget.queries-- <= 0) throw new SealIndexBudgetExceeded();
      const page = await store.queryIndex('audit', { index: 'byTime', partition, until, limit: 500, ...(after !== undefined ? { after } : {}), ...(next ? { next } : {}) });
      for (const r of page.records) {
        const s = spanOf(partition, String(r.attrs.tsId));
        if (keep(s)) out.push(s);
      }
      next = page.next;
    } while (next);
  };
  // narrow seals: maxTs ≥ from, and maxTs ≤ to + the narrow span (a narrow seal with minTs ≤ to ends by then)
  for (const day of days(from, narrowUntil)) await scan(`S#${day}`, from, `${narrowUntil}#~`, (s) => s.minTs <= to && s.maxTs >= from);
  // wide seals: one day each, minTs ≤ to and maxTs ≥ from
  for (const day of days(from, to)) await scan(`W#${day}`, undefined, `${to}#~`, (s) => s.maxTs >= from);
  return out;
}
