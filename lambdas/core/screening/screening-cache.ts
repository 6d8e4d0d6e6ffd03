/**
 * The index one warm process screens with (docs/screening.md "Freshness", docs/performance.md): built from the
 * screening feed and kept up to date by it. Every screening call first reads the feed head (one strongly
 * consistent GetItem); when it moved, the call applies the new entries before screening, so a denial notified or
 * revoked through any process is screened (or no longer) on the next call everywhere — the freshness bound is
 * zero for denials. A cold process reads the whole feed, at most FEED_READS_PER_CALL pages per call: a call that
 * could not catch up answers 503 (nothing is screened against a partial index) and keeps what it read, so the
 * next call goes on from there. The index holds every active denial; which ones a caller may see is decided per
 * call, before any scoring (screening-check.ts).
 */
import type { CoreServices } from '../services.ts';
import { readFeed, readFeedHead } from './denial-feed.ts';
import { NameIndex } from './name-index.ts';

/** Feed entries per Query, and Queries one call may make to catch up (so at most 20,000 entries per call). */
export const FEED_PAGE = 500;
export const FEED_READS_PER_CALL = 40;

export interface Freshness { complete: boolean; applied: number; behind: number }

export class ScreeningCache {
  private index = new NameIndex();
  private seq = 0;
  private running: Promise<Freshness> | null = null;

  constructor(private readonly services: Pick<CoreServices, 'store' | 'cipher'>) {}

  /** The index as of the last refresh. */
  get current(): NameIndex {
    return this.index;
  }

  /**
   * Bring the index up to the feed head, within the read budget; concurrent callers share one refresh. Denials past
   * their last day on `today` are not indexed (only an amendment, a later entry, can make one apply again).
   */
  refresh(today: string): Promise<Freshness> {
    this.running ??= this.catchUp(today).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async catchUp(today: string): Promise<Freshness> {
    const { store, cipher } = this.services;
    const head = await readFeedHead(store);
    let applied = 0;
    for (let reads = 0; this.seq < head.seq && reads < FEED_READS_PER_CALL; reads++) {
      const entries = await readFeed(store, cipher, this.seq, Math.min(FEED_PAGE, head.seq - this.seq));
      if (entries.length === 0) break;
      for (const e of entries) {
        if (e.seq !== this.seq + 1) throw new Error('screening feed has a gap');
        if (e.denial && today <= e.denial.validUntil) this.index.upsert(e.denial);
        else this.index.remove(e.issuer, e.denialId);
        this.seq = e.seq;
        applied++;
      }
    }
    // Replaced and revoked denials leave entries the index skips; past half of them, start afresh from what is live.
    if (this.index.staleVariants > this.index.variants.length / 2) this.index = this.index.rebuilt((d) => today <= d.validUntil);
    return { complete: this.seq >= head.seq, applied, behind: head.seq - this.seq };
  }
}

const caches = new WeakMap<object, ScreeningCache>();

/** The process's cache for these services (one per composition root; unit tests get one per exchange). */
export function screeningCache(services: CoreServices): ScreeningCache {
  let c = caches.get(services);
  if (!c) caches.set(services, (c = new ScreeningCache(services)));
  return c;
}
