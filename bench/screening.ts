/**
 * `npm run bench -- --only screening`: 100 screened parties against 100,000 listed parties (docs/screening.md
 * "Speed"). The listed parties are made from a seeded generator — made-up distinctive words with generic words,
 * legal forms and person names, a third with an alias — so every run screens the same corpus. The 100 screened
 * parties mix exact copies, variant spellings (typing errors, word order, legal forms, look-alike letters) and
 * names that are not listed. Measured: CPU time of one batch on one core (best of several runs: load on the
 * machine only ever adds), against the baseline of looking the same 100 names up by the protocol's exact name key
 * in a Map; the index's build time and heap.
 */
import { nameKey } from '../lambdas/core/names.ts';
import { NameIndex, type ListedParty, type PartyRole } from '../lambdas/core/screening/name-index.ts';
import { screenParty, type ScreenedParty } from '../lambdas/core/screening/screen.ts';

export interface ScreeningBench {
  listedParties: number;
  screenedParties: number;
  cpuMsPerBatch: number;
  exactKeyCpuMsPerBatch: number;
  ratio: number;
  matches: number;
  buildMs: number;
  heapMb: number;
}

/** Mulberry32: a small seeded PRNG, so the corpus is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'ro', 'mi', 'tan', 'sel', 'vor', 'ne', 'da', 'lis', 'bo', 'gar', 'tu', 'zen', 'pha', 'kor', 'al', 'ver', 'min', 'sho', 'ra', 'qu', 'bel', 'dor', 'fa', 'nix', 'ost', 'ul', 'ran', 'te', 'ko'];
const GENERIC = ['Trading', 'International', 'Industries', 'Technology', 'Engineering', 'Group', 'Global', 'Electronics', 'Systems', 'Services', 'Import Export', 'Logistics', 'Machinery', 'Holding', 'Precision'];
const LEGAL = ['LLC', 'Ltd', 'GmbH', 'Co., Ltd.', 'FZE', 'JSC', 'S.A.', 'Pte Ltd', 'OOO', ''];
const GIVEN = ['Ivan', 'Ali', 'Chen', 'Maria', 'Hassan', 'Sergei', 'Li', 'Omar', 'Anna', 'Reza', 'Kim', 'Farid', 'Olga', 'Wei', 'Yusuf'];
const COUNTRIES = ['IR', 'RU', 'CN', 'AE', 'TR', 'SY', 'KP', 'BY', 'PK', 'HK', 'MY', 'SG'];
const ROLES: PartyRole[] = ['end-user', 'consignee', 'intermediary', 'purchaser'];

export function corpus(n: number): ListedParty[] {
  const r = rng(14);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const word = (): string => {
    const s = Array.from({ length: 2 + Math.floor(r() * 3) }, () => pick(SYLLABLES)).join('');
    return s[0]!.toUpperCase() + s.slice(1);
  };
  const name = (): string => (r() < 0.25
    ? `${pick(GIVEN)} ${word()}${r() < 0.5 ? 'ov' : ''}`
    : [word(), r() < 0.4 ? word() : '', pick(GENERIC), r() < 0.3 ? pick(GENERIC) : '', pick(LEGAL)].filter(Boolean).join(' '));
  return Array.from({ length: n }, () => ({
    role: pick(ROLES), name: name(), country: pick(COUNTRIES),
    ...(r() < 0.33 ? { aliases: [name()] } : {}),
    ...(r() < 0.5 ? { address: `${Math.floor(r() * 200)} ${word()} Street, ${word()}` } : {}),
  }));
}

/** 100 screened parties: 25 exact copies, 25 typing errors, 25 reordered or re-dressed, 25 not listed. */
export function screened(listed: ListedParty[]): ScreenedParty[] {
  const r = rng(41);
  const some = (): ListedParty => listed[Math.floor(r() * listed.length)]!;
  const typo = (s: string): string => {
    const i = 1 + Math.floor(r() * (s.length - 2));
    return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  };
  const out: ScreenedParty[] = [];
  for (let i = 0; i < 25; i++) { const p = some(); out.push({ name: p.name, country: p.country }); }
  for (let i = 0; i < 25; i++) { const p = some(); out.push({ name: typo(p.name), country: p.country }); }
  for (let i = 0; i < 25; i++) { const p = some(); out.push({ name: p.name.split(' ').reverse().join(' ').replace(/a/g, 'а').toUpperCase(), country: 'AE' }); }
  for (let i = 0; i < 25; i++) out.push({ name: `Unlisted Benign Name ${i} Trading`, country: 'DE' });
  return out;
}

const cpuMs = (f: () => void): number => {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
};

export function screeningBench(listedParties = 100_000, runs = 15): ScreeningBench {
  const listed = corpus(listedParties);
  const heapBefore = process.memoryUsage().heapUsed;
  const index = new NameIndex();
  const t0 = performance.now();
  for (let i = 0; i < listed.length; i += 3) {
    index.upsert({ issuer: `XX-ISSUER${i % 7}`, denialId: `D-${i}`, version: 1, digest: 'd', validUntil: '2099-12-31', parties: listed.slice(i, i + 3), items: ['6A003.b.4'] });
  }
  const buildMs = performance.now() - t0;
  (globalThis as { gc?: () => void }).gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1048576;
  const parties = screened(listed);
  const exact = new Map<string, number[]>();
  listed.forEach((p, i) => [p.name, ...(p.aliases ?? [])].forEach((n) => exact.set(nameKey(n), [...(exact.get(nameKey(n)) ?? []), i])));

  let matches = 0;
  let best = Infinity;
  let bestExact = Infinity;
  for (let run = 0; run < runs; run++) {
    best = Math.min(best, cpuMs(() => {
      matches = 0;
      for (const p of parties) matches += screenParty(index, p, [{ controlCode: '6A003' }], () => true).matches.length;
    }));
    // The baseline does the same amount of batch work a plain list lookup needs: key each name, look it up.
    bestExact = Math.min(bestExact, cpuMs(() => {
      for (let k = 0; k < 10; k++) for (const p of parties) exact.get(nameKey(p.name));
    }) / 10);
  }
  return { listedParties, screenedParties: parties.length, cpuMsPerBatch: best, exactKeyCpuMsPerBatch: bestExact, ratio: best / bestExact, matches, buildMs, heapMb };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(screeningBench());
