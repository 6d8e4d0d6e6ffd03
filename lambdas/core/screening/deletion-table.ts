/**
 * The deletion neighbourhood of every indexed word (edit-distance.ts), as one sorted array instead of a Map: at
 * 100,000 listed parties it holds about 3 million (hash, word) pairs, which a Map keeps in ~150 MB and builds in
 * seconds, while a Float64Array of `hash × 2^21 + word` keeps them in 26 MB and sorts them in a fraction of that.
 * Pairs added since the last lookup wait in a pending list and are merged in once, before the next lookup (a cold
 * build adds everything first, then sorts once; a denial changed later costs one linear merge). A directory by
 * the hash's top 20 bits makes a lookup a short scan instead of a binary search over millions of pairs.
 */

// hash (32 bits) × 2^21 + word stays below 2^53: every pair is an exact integer in a double.
const WORD_BITS = 2 ** 21;
/** Words the table can tell apart (2,097,152): far more than any denial list holds (100,000 parties have ~90,000). */
export const MAX_WORDS = WORD_BITS;
/** The directory has one entry per value of a hash's top 20 bits (4 MB). */
const BUCKET_SHIFT = 12;
const BUCKETS = 2 ** (32 - BUCKET_SHIFT);

export class DeletionTable {
  private sorted = new Float64Array(0);
  private pending: number[] = [];
  private readonly directory = new Uint32Array(BUCKETS + 1);

  /** Every hash of `word`'s deletion neighbourhood. */
  add(word: number, hashes: Iterable<number>): void {
    if (word >= MAX_WORDS) throw new Error('deletion table is full');
    for (const h of hashes) this.pending.push(h * WORD_BITS + word);
  }

  get size(): number {
    return this.sorted.length + this.pending.length;
  }

  /** Ids of the words whose neighbourhood holds `hash`. */
  wordsWith(hash: number, out: number[]): void {
    this.settle();
    const a = this.sorted;
    const from = hash * WORD_BITS;
    // The directory narrows the search to the few pairs whose hash shares its top 20 bits.
    const bucket = hash >>> BUCKET_SHIFT;
    let lo = this.directory[bucket]!;
    let hi = this.directory[bucket + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    const to = from + WORD_BITS;
    for (let i = lo; i < a.length && a[i]! < to; i++) out.push(a[i]! - from);
  }

  private settle(): void {
    if (this.pending.length === 0) return;
    const add = Float64Array.from(this.pending).sort();
    this.pending = [];
    if (this.sorted.length === 0) {
      this.sorted = add;
      this.direct();
      return;
    }
    const a = this.sorted;
    const merged = new Float64Array(a.length + add.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length && j < add.length) merged[k++] = a[i]! <= add[j]! ? a[i++]! : add[j++]!;
    while (i < a.length) merged[k++] = a[i++]!;
    while (j < add.length) merged[k++] = add[j++]!;
    this.sorted = merged;
    this.direct();
  }

  /** directory[b] = the first position whose hash has top bits ≥ b. */
  private direct(): void {
    const a = this.sorted;
    const dir = this.directory;
    let i = 0;
    for (let b = 0; b <= BUCKETS; b++) {
      const from = b * 2 ** BUCKET_SHIFT * WORD_BITS;
      while (i < a.length && a[i]! < from) i++;
      dir[b] = i;
    }
  }
}
