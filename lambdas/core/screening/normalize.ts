/**
 * The screening form of a name (docs/screening.md "Normalisation"): stricter than the protocol's name key
 * (names.ts), which keeps diacritics and other scripts apart on purpose. Screening must find a denied party
 * however its name is dressed up, so on top of NFKC and case folding it strips diacritics, maps Cyrillic and
 * Greek look-alike letters to the Latin letter they imitate, drops punctuation, removes legal-form words and a
 * few stopwords, brings common abbreviations to one spelling, and sorts the words. The lists are data
 * (screening-words.ts) and documented.
 */
import { ABBREVIATIONS, CONFUSABLES, LEGAL_FORMS, SPECIAL_LETTERS, STOPWORDS } from './screening-words.ts';

export interface ScreenName {
  /** Words after every step, sorted, each once: what word matching compares. */
  readonly tokens: readonly string[];
  /** `tokens` joined by one space: equal keys mean the same words. */
  readonly key: string;
  /** The words as written (legal forms and stopwords removed, abbreviations not expanded), in order, without spaces: `Rolls-Royce` and `RollsRoyce` agree here. */
  readonly compact: string;
}

const MARKS = /\p{M}+/gu;
/** Joined, not split: `S.A.` is `sa`, `O'Brien` is `obrien`, `Int'l` is `intl`. */
const JOINERS = /['’ʼ`´.]/g;
const SEPARATORS = /[^\p{L}\p{N}]+/u;
const ASCII = /^[\x00-\x7f]*$/;

/** Lower-case letters only, one word per element, before any list is applied. */
export function words(name: string): string[] {
  let s = name.normalize('NFKC').toUpperCase().toLowerCase();
  if (!ASCII.test(s)) {
    s = s.normalize('NFD').replace(MARKS, '');
    let mapped = '';
    for (const ch of s) mapped += SPECIAL_LETTERS.get(ch) ?? CONFUSABLES.get(ch) ?? ch;
    s = mapped.normalize('NFC');
  }
  return s.replace(JOINERS, '').split(SEPARATORS).filter(Boolean);
}

/** Legal-form word sequences, longest first, each normalised like a name. */
const LEGAL_SEQUENCES: readonly (readonly string[])[] = [...new Set(LEGAL_FORMS.map((f) => words(f).join(' ')))]
  .map((f) => f.split(' ')).sort((a, b) => b.length - a.length);
const LEGAL_SINGLE = new Set(LEGAL_SEQUENCES.filter((s) => s.length === 1).map((s) => s[0]!));
const LEGAL_MULTI = LEGAL_SEQUENCES.filter((s) => s.length > 1);
const ABBREVIATION_OF = new Map<string, string>(Object.entries(ABBREVIATIONS).flatMap(([canonical, forms]) => [canonical, ...forms].map((f) => [words(f).join(''), canonical] as [string, string])));
const STOP = new Set(STOPWORDS);

function withoutLegalForms(ws: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ws.length;) {
    const seq = LEGAL_MULTI.find((s) => s.every((w, j) => ws[i + j] === w));
    if (seq) {
      i += seq.length;
      continue;
    }
    if (!LEGAL_SINGLE.has(ws[i]!)) out.push(ws[i]!);
    i++;
  }
  return out;
}

/** The screening form of one name. A name made only of legal-form words or stopwords keeps them. */
export function screenName(name: string): ScreenName {
  const raw = words(name);
  let ws = withoutLegalForms(raw);
  if (ws.length === 0) ws = raw;
  const kept = ws.filter((w) => !STOP.has(w));
  if (kept.length > 0) ws = kept;
  // Joined as written, before abbreviations: a typing error that moves a space ("TealI ndustries") leaves these letters.
  const compact = ws.join('');
  const tokens = [...new Set(ws.map((w) => ABBREVIATION_OF.get(w) ?? w))].sort();
  return { tokens, key: tokens.join(' '), compact };
}

/** Words of an address, for the address comparison (no legal forms, same letters). */
export function addressWords(address: string): string[] {
  return [...new Set(words(address).map((w) => ABBREVIATION_OF.get(w) ?? w))];
}
