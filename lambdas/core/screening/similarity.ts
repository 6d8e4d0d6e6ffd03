/**
 * How alike two names are, from 0 to 1, and why (docs/screening.md "Scores"). In order:
 * - the protocol's name key is equal (names.ts): 1;
 * - the same words once normalised (order, legal forms, abbreviations, diacritics, look-alike letters): 0.97;
 * - the same letters with the words split or joined differently (`Rolls-Royce`, `RollsRoyce`): 0.95;
 * - otherwise words are paired, each pair equal or within its typing-error allowance (edit-distance.ts), at most
 *   two errors in the whole name, and scored as a weighted Dice coefficient: generic words weigh 0.3, words of one
 *   or two letters 0.5, others 1. When the listed name has a distinctive word, one of its distinctive words must be
 *   paired, so two names that share only generic words never match;
 * - a name whose words were split or joined differently *and* mistyped (another number of words, or at least two
 *   words that differ) is compared as one string, the words as written (at most one error from 10 letters, two
 *   from 16): 0.95 × (1 − errors ÷ length).
 */
import { allowedEdits, allowedNameEdits, editDistance } from './edit-distance.ts';
import type { ScreenName } from './normalize.ts';
import { COMMON_WORDS } from './screening-words.ts';

export type NameBasis = 'nameKey' | 'tokens' | 'fuzzy';

export interface NameSimilarity {
  readonly score: number;
  readonly basis: NameBasis;
  /** Typing errors the match allowed (fuzzy only). */
  readonly edits: number;
  /** Words of the first name that found their pair, equal or within their allowance. */
  readonly pairedWords: number;
}

/** Most typing errors in one name, whatever its length. */
export const MAX_NAME_EDITS = 2;

const DIGIT = /\d/;
export const weightOf = (w: string): number => (COMMON_WORDS.has(w) ? 0.3 : w.length <= 2 ? 0.5 : 1);
export const isDistinctive = (w: string): boolean => weightOf(w) === 1;

/** Numbers must be the same numbers: `Unit 7` is not `Unit 1`. */
const numbersOf = (n: ScreenName): string => n.tokens.filter((t) => DIGIT.test(t)).join(' ');

interface Pair { q: number; d: number; sim: number; edits: number; gain: number }

/** Word pairs, one-to-one, within each word's allowance and two errors in all, chosen heaviest first. */
function pairWords(q: readonly string[], d: readonly string[]): Pair[] {
  const options: Pair[] = [];
  for (let i = 0; i < q.length; i++) {
    const a = q[i]!;
    const wa = weightOf(a);
    const aDigit = DIGIT.test(a);
    for (let j = 0; j < d.length; j++) {
      const b = d[j]!;
      if (a === b) {
        options.push({ q: i, d: j, sim: 1, edits: 0, gain: 2 * wa });
        continue;
      }
      if (aDigit || DIGIT.test(b)) continue;
      const allowed = allowedEdits(Math.min(a.length, b.length));
      if (allowed === 0) continue;
      const e = editDistance(a, b, allowed);
      if (e > allowed) continue;
      const sim = 1 - e / Math.max(a.length, b.length);
      options.push({ q: i, d: j, sim, edits: e, gain: sim * (wa + weightOf(b)) });
    }
  }
  // Heaviest contribution first: the two-error budget goes to distinctive words before generic ones.
  if (options.length > 1) options.sort((x, y) => y.gain - x.gain);
  const usedQ: boolean[] = [];
  const usedD: boolean[] = [];
  const pairs: Pair[] = [];
  let edits = 0;
  for (const o of options) {
    if (usedQ[o.q] || usedD[o.d] || edits + o.edits > MAX_NAME_EDITS) continue;
    usedQ[o.q] = true;
    usedD[o.d] = true;
    edits += o.edits;
    pairs.push(o);
  }
  return pairs;
}

function wordScore(q: ScreenName, d: ScreenName): NameSimilarity | null {
  const pairs = pairWords(q.tokens, d.tokens);
  if (pairs.length === 0) return null;
  // The listed name's distinctive words are what identifies it: one of them must be paired.
  if (d.tokens.some(isDistinctive) && !pairs.some((p) => isDistinctive(d.tokens[p.d]!))) return null;
  const total = q.tokens.reduce((s, t) => s + weightOf(t), 0) + d.tokens.reduce((s, t) => s + weightOf(t), 0);
  const shared = pairs.reduce((s, p) => s + p.gain, 0);
  return { score: shared / total, basis: 'fuzzy', edits: pairs.reduce((s, p) => s + p.edits, 0), pairedWords: pairs.length };
}

function splitJoinScore(q: ScreenName, d: ScreenName): NameSimilarity | null {
  // Only when the words were cut differently — another number of words, or no more than all but two of them
  // shared: when all words but one agree, word pairing is the fairer judge (`Sun Trading` is not `Sin Trading`,
  // though the two differ by one letter).
  if (numbersOf(q) !== numbersOf(d)) return null;
  const shared = q.tokens.filter((t) => d.tokens.includes(t)).length;
  if (q.tokens.length === d.tokens.length && shared > q.tokens.length - 2) return null;
  const length = Math.max(q.compact.length, d.compact.length);
  const allowed = allowedNameEdits(Math.min(q.compact.length, d.compact.length));
  if (allowed === 0) return null;
  const e = editDistance(q.compact, d.compact, allowed);
  return e <= allowed ? { score: 0.95 * (1 - e / length), basis: 'fuzzy', edits: e, pairedWords: q.tokens.length } : null;
}

/**
 * The similarity of a screened name `q` to a listed name `d`, both in screening form; `sameKey` says whether
 * their protocol name keys are equal (computed by the caller, which keeps them).
 */
export function nameSimilarity(q: ScreenName, d: ScreenName, sameKey: boolean): NameSimilarity | null {
  if (sameKey) return { score: 1, basis: 'nameKey', edits: 0, pairedWords: q.tokens.length };
  if (q.key === d.key) return { score: 0.97, basis: 'tokens', edits: 0, pairedWords: q.tokens.length };
  if (q.compact === d.compact) return { score: 0.95, basis: 'tokens', edits: 0, pairedWords: q.tokens.length };
  const w = wordScore(q, d);
  const s = splitJoinScore(q, d);
  if (!w) return s;
  if (!s) return w;
  return s.score > w.score ? s : w;
}
