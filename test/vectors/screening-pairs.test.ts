// Every pair of test/vectors/data/screening-pairs.json (the table of docs/screening.md): screened against an index
// that holds the listed party, through screening.check's own scoring, and once more among 2,000 other listed parties
// (a pair must not depend on being alone in the index).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NameIndex, type ListedParty } from '../../lambdas/core/screening/name-index.ts';
import { MATCH_THRESHOLD, screenParty, type ScreenedParty } from '../../lambdas/core/screening/screen.ts';
import { LEGAL_FORMS } from '../../lambdas/core/screening/screening-words.ts';
import { corpus } from '../../bench/screening.ts';
import { readVectors } from '../helpers/vectors.ts';

interface Pair { group: string; listed: Omit<ListedParty, 'role'>; screened: ScreenedParty; match: boolean; why: string; score?: number; matched?: string[] }
const { threshold, pairs } = readVectors<{ threshold: number; pairs: Pair[] }>('screening-pairs.json');

const denial = (listed: Omit<ListedParty, 'role'>, denialId = 'D-PAIR') => ({ issuer: 'XX-ISSUER', denialId, version: 1, digest: 'd', validUntil: '2099-12-31', parties: [{ role: 'end-user' as const, ...listed }], items: [] });
const crowd = new NameIndex();
corpus(2000).forEach((p, i) => crowd.upsert({ issuer: 'XX-CROWD', denialId: `C-${i}`, version: 1, digest: 'd', validUntil: '2099-12-31', parties: [p], items: [] }));

describe('docs/screening.md: name pairs that must match and must not', () => {
  it('the table has both kinds, every group has a reason, and its threshold is the one screening uses', () => {
    expect(threshold).toBe(MATCH_THRESHOLD);
    expect(pairs.filter((p) => p.match).length).toBeGreaterThanOrEqual(25);
    expect(pairs.filter((p) => !p.match).length).toBeGreaterThanOrEqual(15);
    for (const p of pairs) expect(p.why.length).toBeGreaterThan(10);
  });

  it('docs/screening.md shows every pair as a row of its table, and lists every legal form', () => {
    const doc = readFileSync(new URL('../../docs/screening.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((l) => /^\| [✓✗] /.test(l));
    expect(rows).toHaveLength(pairs.length);
    pairs.forEach((p, i) => expect(rows[i], p.listed.name).toContain(`${p.match ? '✓' : '✗'} ${p.group} | ${p.listed.name.replace(/\|/g, '\\|')}`));
    pairs.forEach((p, i) => expect(rows[i], p.screened.name).toContain(p.why));
    for (const form of LEGAL_FORMS) expect(doc, form).toContain(`\`${form}\``);
  });

  it.each(pairs.map((p) => [`${p.match ? 'match' : 'no match'} · ${p.group}: ${p.listed.name} ~ ${p.screened.name}`, p] as const))('%s', (_name, p) => {
    const alone = new NameIndex();
    alone.upsert(denial(p.listed));
    const found = screenParty(alone, p.screened, [], () => true).matches;
    if (!p.match) {
      expect(found).toEqual([]);
    } else {
      expect(found).toHaveLength(1);
      expect(found[0]!.score).toBeCloseTo(p.score!, 3);
      expect(found[0]!.matched).toEqual(p.matched);
    }
    // The same among other listed parties: the pair's verdict is about the two names, not about an empty index.
    crowd.upsert(denial(p.listed));
    const inCrowd = screenParty(crowd, p.screened, [], (d) => d.issuer === 'XX-ISSUER').matches;
    crowd.remove('XX-ISSUER', 'D-PAIR');
    expect(inCrowd.map((m) => m.score)).toEqual(found.map((m) => m.score));
  });
});
