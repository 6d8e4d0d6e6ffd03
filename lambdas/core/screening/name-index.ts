/**
 * The in-memory index screening searches (docs/screening.md "Index"): every name and alias of every party of
 * every active denial, in screening form. Candidates come from lookups, never from a scan:
 * - the whole normalised key and the joined letters (exact maps);
 * - each distinctive word of a listed name → the names that contain it (`distinct` postings);
 * - for listed names made only of generic words, each of their words (`generic` postings: such names are few);
 * - every word within its typing-error allowance, through the hashed deletion neighbourhood of every indexed word;
 * Since a match must pair a distinctive word of the listed name (similarity.ts), these candidates are complete
 * for the word scores; names whose words were both split differently and mistyped are found through a word.
 * Candidates whose score cannot reach the threshold are dropped by a bound before any scoring (`candidates`).
 * Denials are replaced or removed by slot; their old entries stay in the maps until a rebuild and are skipped.
 */
import { nameKey } from '../names.ts';
import { allowedEdits, allowedNameEdits, deletionHashes, editDistance } from './edit-distance.ts';
import { DeletionTable } from './deletion-table.ts';
import { screenName, type ScreenName } from './normalize.ts';
import { isDistinctive, weightOf } from './similarity.ts';

export type PartyRole = 'end-user' | 'consignee' | 'intermediary' | 'purchaser';

export interface ListedParty { role: PartyRole; name: string; aliases?: string[]; address?: string; country: string }

/** What screening needs of one denial: ids, validity and the parties and items, decrypted. */
export interface ScreenedDenial {
  issuer: string;
  denialId: string;
  version: number;
  digest: string;
  /** Inclusive last day (UTC). */
  validUntil: string;
  parties: ListedParty[];
  /** Control-list entries of the denied items. */
  items: string[];
}

export interface Variant {
  readonly slot: number;
  readonly party: number;
  readonly alias: boolean;
  readonly name: ScreenName;
  readonly nameKey: string;
}

/** Candidates one screened name may collect before it is reported as truncated (docs/screening.md). */
export const MAX_CANDIDATES = 20_000;

const DIGIT = /\d/;
/** Numbers kept per variant in `stats`. */
const STATS = 6;

/** Which of 32 letter classes a string uses (a–z, digits, the rest): k edits change at most 2k of them. */
export function letterMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    m |= 1 << (c >= 97 && c <= 122 ? c - 97 : c >= 48 && c <= 57 ? 26 + (c % 5) : 31);
  }
  return m;
}

function bitCount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

function push<K>(map: Map<K, number[]>, key: K, id: number): void {
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
}

export class NameIndex {
  private readonly denials: (ScreenedDenial | null)[] = [];
  private readonly slotOf = new Map<string, number>();
  readonly variants: Variant[] = [];
  private readonly byKey = new Map<string, number[]>();
  private readonly byCompact = new Map<string, number[]>();
  private readonly distinct = new Map<string, number[]>();
  private readonly generic = new Map<string, number[]>();
  /** Hash of a deleted form → ids (in `wordList`) of the indexed words it comes from. */
  private readonly neighbours = new DeletionTable();
  private readonly wordIds = new Map<string, number>();
  private readonly wordList: string[] = [];
  /** Scratch of `candidates`, per variant id: [found weight, which screened words found it (bits)]; zero between calls. */
  private found = new Float64Array(0);
  /**
   * Per variant id, what the bound of `candidates` reads, side by side so one id costs one cache line (it runs over
   * thousands of ids per name): [weight, words not distinctive, their heaviest weight, word count, joined length].
   */
  private stats = new Float64Array(STATS * 1024);
  private live = 0;
  private stale = 0;

  /** Denials held (active ones: a removed denial no longer counts). */
  get size(): number {
    return this.live;
  }

  /** Listed parties held. */
  partyCount(): number {
    return this.denials.reduce((s, d) => s + (d ? d.parties.length : 0), 0);
  }

  /** Variants whose denial was replaced or removed: a rebuild drops them. */
  get staleVariants(): number {
    return this.stale;
  }

  /** A new index of the live denials only (those `keep` accepts). */
  rebuilt(keep: (d: ScreenedDenial) => boolean = () => true): NameIndex {
    const fresh = new NameIndex();
    for (const d of this.denials) if (d && keep(d)) fresh.upsert(d);
    return fresh;
  }

  /** Denials held that `pred` accepts. */
  count(pred: (d: ScreenedDenial) => boolean): number {
    let n = 0;
    for (const d of this.denials) if (d && pred(d)) n++;
    return n;
  }

  denial(slot: number): ScreenedDenial | null {
    return this.denials[slot] ?? null;
  }

  /** Add a denial, or replace the one with the same issuer and id (an amendment). */
  upsert(d: ScreenedDenial): void {
    this.remove(d.issuer, d.denialId);
    const slot = this.denials.length;
    this.denials.push(d);
    this.slotOf.set(`${d.issuer}/${d.denialId}`, slot);
    this.live++;
    d.parties.forEach((p, party) => {
      [p.name, ...(p.aliases ?? [])].forEach((text, i) => this.addVariant({ slot, party, alias: i > 0, name: screenName(text), nameKey: nameKey(text) }));
    });
  }

  remove(issuer: string, denialId: string): void {
    const k = `${issuer}/${denialId}`;
    const slot = this.slotOf.get(k);
    if (slot === undefined) return;
    this.stale += this.denials[slot]!.parties.reduce((s, p) => s + 1 + (p.aliases?.length ?? 0), 0);
    this.denials[slot] = null;
    this.slotOf.delete(k);
    this.live--;
  }

  private addVariant(v: Variant): void {
    const id = this.variants.length;
    this.variants.push(v);
    if ((id + 1) * STATS > this.stats.length) {
      const grown = new Float64Array(this.stats.length * 2);
      grown.set(this.stats);
      this.stats = grown;
    }
    // Words that are not distinctive are never found by lookup: the bound counts them apart.
    const others = v.name.tokens.filter((t) => !isDistinctive(t));
    this.stats.set([v.name.tokens.reduce((s, t) => s + weightOf(t), 0), others.length, Math.max(0, ...others.map(weightOf)), v.name.tokens.length, v.name.compact.length, letterMask(v.name.compact)], id * STATS);
    push(this.byKey, v.name.key, id);
    push(this.byCompact, v.name.compact, id);
    const distinctive = v.name.tokens.filter(isDistinctive);
    for (const t of distinctive.length ? distinctive : v.name.tokens) {
      push(distinctive.length ? this.distinct : this.generic, t, id);
      this.addWord(t);
    }
  }

  private addWord(t: string): void {
    if (this.wordIds.has(t)) return;
    const id = this.wordList.length;
    this.wordIds.set(t, id);
    this.wordList.push(t);
    if (DIGIT.test(t)) return;
    const k = allowedEdits(t.length);
    if (k === 0) return;
    this.neighbours.add(id, deletionHashes(t, k));
  }

  /** Indexed words equal to `t` or within its typing-error allowance. */
  private similarWords(t: string): string[] {
    const out = this.wordIds.has(t) ? [t] : [];
    if (DIGIT.test(t)) return out;
    const k = allowedEdits(t.length);
    if (k === 0) return out;
    const ids: number[] = [];
    for (const h of deletionHashes(t, k)) this.neighbours.wordsWith(h, ids);
    const seen = new Set<number>();
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      const w = this.wordList[id]!;
      if (w === t) continue;
      const allowed = allowedEdits(Math.min(w.length, t.length));
      if (allowed > 0 && editDistance(t, w, allowed) <= allowed) out.push(w);
    }
    return out;
  }

  /**
   * Variant ids worth scoring for one screened name — every listed name that could score `minScore` or more —
   * restricted to denials `visible` allows, and whether the cap was reached (some candidates were not scored).
   *
   * Lookups find every listed name with a distinctive word equal or similar to one of the screened words. Most
   * of them (a common given name finds thousands) cannot score enough, and an upper bound says so without
   * scoring them: for a screened name of weight W and a listed one of weight Wd, the pairs lookups found add at
   * most (w + 1) each, and the listed name's other words (generic or short: never found by lookup) at most
   * (w + their heaviest weight, 0.3 or 0.5) each with the heaviest screened words that found nothing, so the weighted Dice score of
   * similarity.ts is at most (H + R) ÷ (W + Wd). Names that could match as one string with words split or joined differently are
   * kept whatever the bound says.
   */
  candidates(q: ScreenName, minScore: number, visible: (d: ScreenedDenial) => boolean): { ids: number[]; truncated: boolean } {
    const weights = q.tokens.map(weightOf);
    const total = weights.reduce((s, w) => s + w, 0);
    // Screened words heaviest first, for the most that words the lookups did not find can add.
    const heaviest = weights.map((w, i) => ({ w, bit: 1 << Math.min(i, 30) })).sort((a, b) => b.w - a.w);
    const rest = (mask: number, listedOthers: number, otherWeight: number): number => {
      let r = 0;
      for (let i = 0, n = 0; i < heaviest.length && n < listedOthers; i++) {
        if ((mask & heaviest[i]!.bit) !== 0 && heaviest[i]!.bit !== 1 << 30) continue;
        r += heaviest[i]!.w + otherWeight;
        n++;
      }
      return r;
    };
    // Found weight per variant in a reused array (a Map of thousands of entries per name costs more than the scoring).
    if (this.found.length < this.variants.length * 2) this.found = new Float64Array(this.variants.length * 4);
    const found = this.found;
    const touched: number[] = [];
    q.tokens.forEach((t, i) => {
      const add = weights[i]! + 1;
      const bit = 1 << Math.min(i, 30); // words past the 31st share a bit: the bound only loosens
      for (const w of this.similarWords(t)) {
        for (const list of [this.distinct.get(w), this.generic.get(w)]) {
          if (!list) continue;
          for (const id of list) {
            const at = id * 2;
            if (found[at] === 0) touched.push(id);
            found[at]! += add;
            found[at + 1] = (found[at + 1]! | bit);
          }
        }
      }
    });
    const ids = new Set<number>();
    let truncated = false;
    const take = (id: number): void => {
      if (ids.has(id)) return;
      const d = this.denials[this.variants[id]!.slot];
      if (!d || !visible(d)) return;
      if (ids.size >= MAX_CANDIDATES) truncated = true;
      else ids.add(id);
    };
    for (const id of this.byKey.get(q.key) ?? []) take(id);
    for (const id of this.byCompact.get(q.compact) ?? []) take(id);
    const nameEdits = allowedNameEdits(q.compact.length);
    const compact = q.compact.length;
    const mask = letterMask(q.compact);
    const stats = this.stats;
    for (const id of touched) {
      const at = id * STATS;
      const bound = (found[id * 2]! + rest(found[id * 2 + 1]!, stats[at + 1]!, stats[at + 2]!)) / (total + stats[at]!);
      if (bound >= minScore) take(id);
      else if (nameEdits > 0 && Math.abs(stats[at + 4]! - compact) <= nameEdits && bitCount((stats[at + 5]! ^ mask) | 0) <= 2 * nameEdits
        && editDistance(q.compact, this.variants[id]!.name.compact, nameEdits) <= nameEdits) take(id);
      found[id * 2] = 0;
      found[id * 2 + 1] = 0;
    }
    return { ids: [...ids], truncated };
  }
}
