/**
 * Screening a batch of parties against the index (docs/screening.md "Scores"): for each screened party, every
 * listed party one of its names resembles, scored 0–1 and explained. The party score is the best name
 * similarity over both sides' names and aliases, × 0.9 when the countries differ, + 0.03 (at most 1) when both
 * addresses share most of their words. A match is reported from MATCH_THRESHOLD up. Items of the screening that
 * fall under a denied item's control-list entry are flagged on each match.
 */
import { nameKey } from '../names.ts';
import type { NameIndex, ScreenedDenial } from './name-index.ts';
import { addressWords, screenName, type ScreenName } from './normalize.ts';
import { COMMON_ADDRESS_WORDS } from './screening-words.ts';
import { nameSimilarity, type NameBasis, type NameSimilarity } from './similarity.ts';

/** The lowest score reported as a match. */
export const MATCH_THRESHOLD = 0.8;
/** Score factor when the countries of the two parties differ (a front company abroad still shows, lower). */
export const OTHER_COUNTRY_FACTOR = 0.9;
/** Added when the addresses agree. */
export const ADDRESS_BONUS = 0.03;
/** Matches reported per screened party, best first; the rest are counted. */
export const MAX_MATCHES_PER_PARTY = 10;

export interface ScreenedParty { name: string; country: string; address?: string; aliases?: string[] }
export interface ScreenedItem { controlCode: string; description?: string }

export type MatchBasis = NameBasis | 'alias' | 'address' | 'country';

export interface PartyMatch {
  slot: number;
  denial: ScreenedDenial;
  /** Index of the listed party within the denial. */
  party: number;
  score: number;
  matched: MatchBasis[];
  detail: string;
  /** Indexes of the screened items that fall under one of the denial's items. */
  overlappingItems: number[];
}

export interface PartyResult { matches: PartyMatch[]; omitted: number; truncated: boolean }

interface Best { slot: number; party: number; sim: NameSimilarity; alias: boolean }

/** Control-list entries compared without case, spaces or hyphens; `6A003` covers `6A003.b.4` (a prefix up to a dot). */
const controlKey = (c: string): string => c.toLowerCase().replace(/[\s-]+/g, '');
export function itemsOverlap(a: string, b: string): boolean {
  const x = controlKey(a);
  const y = controlKey(b);
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return long === short || (long.startsWith(short) && long[short.length] === '.');
}

function addressesAgree(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = addressWords(a);
  const y = new Set(addressWords(b));
  const w = (t: string): number => (COMMON_ADDRESS_WORDS.has(t) ? 0.3 : 1);
  const shared = x.filter((t) => y.has(t)).reduce((s, t) => s + 2 * w(t), 0);
  const total = x.reduce((s, t) => s + w(t), 0) + [...y].reduce((s, t) => s + w(t), 0);
  return total > 0 && shared / total >= 0.5;
}

const BASIS_TEXT: Record<NameBasis, string> = {
  nameKey: 'the name is the same (protocol name key)',
  tokens: 'the same words once normalised',
  fuzzy: 'similar words',
};

function explain(sim: NameSimilarity, alias: boolean, sameCountry: boolean, address: boolean): string {
  const parts = [sim.basis === 'fuzzy' ? `${BASIS_TEXT.fuzzy} (${sim.pairedWords} paired, ${sim.edits} typing error${sim.edits === 1 ? '' : 's'})` : BASIS_TEXT[sim.basis]];
  if (alias) parts.push('through an alias');
  parts.push(sameCountry ? 'same country' : `other country (×${OTHER_COUNTRY_FACTOR})`);
  if (address) parts.push(`addresses agree (+${ADDRESS_BONUS})`);
  return parts.join('; ');
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Screen one party. `visible` says which denials the caller may see; nothing else is ever scored. */
export function screenParty(index: NameIndex, p: ScreenedParty, items: readonly ScreenedItem[], visible: (d: ScreenedDenial) => boolean): PartyResult {
  const names: { name: ScreenName; key: string; alias: boolean }[] = [p.name, ...(p.aliases ?? [])].map((text, i) => ({ name: screenName(text), key: nameKey(text), alias: i > 0 }));
  const best = new Map<string, Best>();
  let truncated = false;
  for (const q of names) {
    const c = index.candidates(q.name, MATCH_THRESHOLD - ADDRESS_BONUS, visible);
    truncated ||= c.truncated;
    for (const id of c.ids) {
      const v = index.variants[id]!;
      const sim = nameSimilarity(q.name, v.name, q.key === v.nameKey);
      if (!sim) continue;
      const k = `${v.slot}/${v.party}`;
      const held = best.get(k);
      if (!held || sim.score > held.sim.score) best.set(k, { slot: v.slot, party: v.party, sim, alias: q.alias || v.alias });
    }
  }
  const matches: PartyMatch[] = [];
  for (const b of best.values()) {
    const denial = index.denial(b.slot)!;
    const listed = denial.parties[b.party]!;
    const sameCountry = listed.country === p.country;
    const address = addressesAgree(p.address, listed.address);
    const score = Math.min(1, b.sim.score * (sameCountry ? 1 : OTHER_COUNTRY_FACTOR) + (address ? ADDRESS_BONUS : 0));
    if (score < MATCH_THRESHOLD) continue;
    const matched: MatchBasis[] = [b.sim.basis];
    if (b.alias) matched.push('alias');
    if (address) matched.push('address');
    if (sameCountry) matched.push('country');
    const overlappingItems = items.flatMap((it, i) => (denial.items.some((c) => itemsOverlap(c, it.controlCode)) ? [i] : []));
    matches.push({ slot: b.slot, denial, party: b.party, score: round(score), matched, detail: explain(b.sim, b.alias, sameCountry, address), overlappingItems });
  }
  matches.sort((a, b) => b.score - a.score || a.denial.issuer.localeCompare(b.denial.issuer) || a.denial.denialId.localeCompare(b.denial.denialId) || a.party - b.party);
  return { matches: matches.slice(0, MAX_MATCHES_PER_PARTY), omitted: Math.max(0, matches.length - MAX_MATCHES_PER_PARTY), truncated };
}
