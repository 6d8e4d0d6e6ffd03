/**
 * Typing errors, counted (docs/screening.md "Typing errors"): the optimal-string-alignment form of the
 * Damerau-Levenshtein distance (an insertion, a deletion, a substitution or two adjacent letters swapped is one
 * edit), and the deletion neighbourhood that lets the index find every word within that many edits without
 * comparing against every word it holds (symmetric delete: two words are within k edits only if some word made
 * by deleting at most k letters from each is the same).
 */

/** How many typing errors a word of `length` letters may carry: none below 5 letters, 1 up to 8, 2 from 9. */
export function allowedEdits(length: number): number {
  return length < 5 ? 0 : length < 9 ? 1 : 2;
}

/** How many typing errors a whole name of `length` letters (spaces removed) may carry when words were split or joined. */
export function allowedNameEdits(length: number): number {
  return length < 10 ? 0 : length < 16 ? 1 : 2;
}

let prev2 = new Int32Array(64);
let prev = new Int32Array(64);
let cur = new Int32Array(64);

/**
 * The OSA distance of `a` and `b`, or `max + 1` as soon as it is certain to exceed `max` (most candidate pairs
 * are far apart, and the length difference alone often says so).
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (m + 1 > cur.length) {
    prev2 = new Int32Array(m + 1);
    prev = new Int32Array(m + 1);
    cur = new Int32Array(m + 1);
  }
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return Math.min(prev[m]!, max + 1);
}

/** FNV-1a over the UTF-16 units of `w`, leaving out positions `skipA` and `skipB` (-1: none). */
function hashWithout(w: string, skipA: number, skipB: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) {
    if (i === skipA || i === skipB) continue;
    h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/**
 * Hashes of every string made by deleting at most `k` (≤ 2) letters from `word`, the word itself included: the
 * deletion neighbourhood without building its strings (a word of 12 letters has 79). Two different strings may
 * share a hash; that only adds a candidate, which the edit distance then rejects.
 */
export function deletionHashes(word: string, k: number): Set<number> {
  const out = new Set<number>([hashWithout(word, -1, -1)]);
  if (k < 1) return out;
  for (let i = 0; i < word.length; i++) {
    out.add(hashWithout(word, i, -1));
    if (k < 2) continue;
    for (let j = i + 1; j < word.length; j++) out.add(hashWithout(word, i, j));
  }
  return out;
}
