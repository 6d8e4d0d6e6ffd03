// The parts screening is built from (docs/screening.md): normalisation, the word lists, typing errors, and the
// index's promise that its candidates are complete — every listed name that scores from the threshold up is found
// by lookups and survives the bound, checked against a brute-force scan.
import { describe, expect, it } from 'vitest';
import { corpus, screened } from '../../bench/screening.ts';
import { nameKey } from '../../lambdas/core/names.ts';
import { allowedEdits, deletionHashes, editDistance } from '../../lambdas/core/screening/edit-distance.ts';
import { DeletionTable, MAX_WORDS } from '../../lambdas/core/screening/deletion-table.ts';
import { letterMask, NameIndex } from '../../lambdas/core/screening/name-index.ts';
import { screenName, words } from '../../lambdas/core/screening/normalize.ts';
import { ADDRESS_BONUS, itemsOverlap, MATCH_THRESHOLD } from '../../lambdas/core/screening/screen.ts';
import { LEGAL_FORMS } from '../../lambdas/core/screening/screening-words.ts';
import { nameSimilarity } from '../../lambdas/core/screening/similarity.ts';

/** Plain Damerau (optimal string alignment) distance, the textbook table. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
}

describe('normalisation', () => {
  it('strips diacritics, maps Cyrillic and Greek look-alikes, joins dots and apostrophes, splits on the rest', () => {
    expect(words('Société Générale d’Équipements')).toEqual(['societe', 'generale', 'dequipements']);
    expect(words('КАVIR МАСНINЕ')).toEqual(['kavir', 'machine']);
    expect(words('Αlpha Ηoldings')).toEqual(['alpha', 'holdings']);
    expect(words("O'Brien & Søn S.A.R.L.")).toEqual(['obrien', 'son', 'sarl']);
    expect(words('Straße Łódź Þór ﬁne')).toEqual(['strasse', 'lodz', 'thor', 'fine']);
    // a word with no Latin twin stays itself: a name in Cyrillic still matches itself
    expect(words('Жуков')).toEqual(['жykob']);
  });

  it('removes every listed legal form, multi-word forms only whole, and keeps a name made only of them', () => {
    for (const form of LEGAL_FORMS) expect(screenName(`Kavir ${form}`).tokens, form).toEqual(['kavir']);
    expect(screenName('Nordlicht Sp. z o.o.').tokens).toEqual(['nordlicht']);
    expect(screenName('Z Optics').tokens).toEqual(['optics', 'z']);
    expect(screenName('Company Limited').tokens).toEqual(['company', 'limited']);
  });

  it('brings abbreviations to one word, drops stopwords, sorts and keeps the written order for the joined letters', () => {
    expect(screenName('The Orion Intl. Technologies & Eng. Co').key).toBe('engineering international orion technology');
    expect(screenName('Rolls-Royce').compact).toBe('rollsroyce');
    expect(screenName('Royce Rolls').key).toBe(screenName('Rolls Royce').key);
  });

  it('control-list entries overlap when equal or one contains the other up to a dot', () => {
    expect([itemsOverlap('6A003', '6a003.b.4'), itemsOverlap('6A003.b', '6A003.b.4'), itemsOverlap('6A003.b.4', '6A003.B.4'), itemsOverlap('6A00', '6A003'), itemsOverlap('6A003.b', '6A003.c')]).toEqual([true, true, true, false, false]);
  });
});

describe('typing errors', () => {
  it('the bounded distance equals the textbook one up to its bound, on random strings', () => {
    const r = seeded(7);
    const word = (): string => Array.from({ length: 1 + Math.floor(r() * 12) }, () => 'abcde'[Math.floor(r() * 5)]).join('');
    for (let i = 0; i < 3000; i++) {
      const [a, b] = [word(), word()];
      const max = Math.floor(r() * 4);
      expect(editDistance(a, b, max), `${a} ${b} ≤ ${max}`).toBe(Math.min(osa(a, b), max + 1));
    }
  });

  it('k typing errors change at most 2k of the letter classes a string uses (the filter before joined-letter comparison)', () => {
    const r = seeded(5);
    for (let i = 0; i < 2000; i++) {
      const a = Array.from({ length: 10 + Math.floor(r() * 10) }, () => 'abcdefghij0'[Math.floor(r() * 11)]).join('');
      const b = a.slice(0, 3) + 'z' + a.slice(5) + '9';
      const e = editDistance(a, b, 20);
      let x = letterMask(a) ^ letterMask(b);
      let bits = 0;
      for (; x; x &= x - 1) bits++;
      expect(bits).toBeLessThanOrEqual(2 * e);
    }
  });

  it('two words within their allowance always share a deletion hash (so the index finds them)', () => {
    const r = seeded(11);
    for (let i = 0; i < 2000; i++) {
      const a = Array.from({ length: 5 + Math.floor(r() * 9) }, () => 'abcdefgh'[Math.floor(r() * 8)]).join('');
      let b = a;
      const edits = 1 + Math.floor(r() * allowedEdits(a.length));
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(r() * b.length);
        const kind = Math.floor(r() * 4);
        b = kind === 0 ? b.slice(0, at) + b.slice(at + 1) : kind === 1 ? b.slice(0, at) + 'x' + b.slice(at) : kind === 2 ? b.slice(0, at) + 'y' + b.slice(at + 1) : b.slice(0, at) + (b[at + 1] ?? '') + b[at] + b.slice(at + 2);
      }
      const k = allowedEdits(Math.min(a.length, b.length));
      if (editDistance(a, b, k) > k) continue;
      const hb = deletionHashes(b, allowedEdits(b.length));
      expect([...deletionHashes(a, allowedEdits(a.length))].some((h) => hb.has(h)), `${a} ~ ${b}`).toBe(true);
    }
  });
});

describe('the deletion table', () => {
  it('gives back exactly the words added under a hash, at the extremes of hash and word id, before and after a merge', () => {
    const t = new DeletionTable();
    t.add(MAX_WORDS - 1, [0xffffffff, 0]);
    t.add(0, [0xffffffff, 0xfffff000]);
    const at = (h: number): number[] => {
      const out: number[] = [];
      t.wordsWith(h, out);
      return out.sort((a, b) => a - b);
    };
    expect([at(0xffffffff), at(0), at(0xfffff000), at(0xfffffffe)]).toEqual([[0, MAX_WORDS - 1], [MAX_WORDS - 1], [0], []]);
    t.add(7, [0xfffffffe, 0xffffffff]);
    expect([at(0xffffffff), at(0xfffffffe), t.size]).toEqual([[0, 7, MAX_WORDS - 1], [7], 6]);
    expect(() => t.add(MAX_WORDS, [1])).toThrow('deletion table is full');
  });
});

describe('the index', () => {
  const listed = corpus(3000);
  const index = new NameIndex();
  for (let i = 0; i < listed.length; i += 3) index.upsert({ issuer: 'XX-A', denialId: `D-${i}`, version: 1, digest: 'd', validUntil: '2099-12-31', parties: listed.slice(i, i + 3), items: [] });
  const queries = [...screened(listed), ...listed.slice(0, 200).map((p) => ({ name: p.name.split(' ').slice(0, 2).join(' '), country: p.country }))];

  it('finds every listed name a brute-force scan scores from the threshold up (the candidates are complete)', () => {
    const min = MATCH_THRESHOLD - ADDRESS_BONUS;
    let scanned = 0;
    for (const q of queries) {
      const name = screenName(q.name);
      const key = nameKey(q.name);
      const found = new Set(index.candidates(name, min, () => true).ids);
      index.variants.forEach((v, id) => {
        const s = nameSimilarity(name, v.name, key === v.nameKey);
        if (s && s.score >= min) {
          scanned++;
          expect(found.has(id), `${q.name} → ${v.name.key}`).toBe(true);
        }
      });
    }
    expect(scanned).toBeGreaterThan(100);
  });

  it('candidates are few next to the index (lookups, not a scan), and only from denials the caller may see', () => {
    const counts = queries.slice(0, 100).map((q) => index.candidates(screenName(q.name), MATCH_THRESHOLD - ADDRESS_BONUS, () => true).ids.length);
    expect(counts.reduce((a, b) => a + b, 0) / counts.length).toBeLessThan(index.variants.length / 50);
    expect(index.candidates(screenName(listed[0]!.name), 0.77, (d) => d.denialId !== 'D-0').ids.map((id) => index.variants[id]!.slot)).not.toContain(0);
  });

  it('an amendment replaces a denial, a removal takes it out, and a rebuild keeps only what is live', () => {
    const ix = new NameIndex();
    const d = (name: string) => ({ issuer: 'XX-A', denialId: 'D', version: 1, digest: 'd', validUntil: '2099-12-31', parties: [{ role: 'end-user' as const, name, country: 'IR' }], items: [] });
    ix.upsert(d('Kavir Machine Tools'));
    ix.upsert(d('Caspian Precision'));
    expect([ix.size, ix.staleVariants]).toEqual([1, 1]);
    expect(ix.candidates(screenName('Kavir Machine Tools'), 0.77, () => true).ids).toEqual([]);
    const fresh = ix.rebuilt();
    expect([fresh.size, fresh.variants.length, fresh.candidates(screenName('Caspian Precision'), 0.77, () => true).ids]).toEqual([1, 1, [0]]);
    ix.remove('XX-A', 'D');
    expect([ix.size, ix.candidates(screenName('Caspian Precision'), 0.77, () => true).ids]).toEqual([0, []]);
  });
});
