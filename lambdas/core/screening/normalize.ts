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

/**
 * The lists normalised like names, built on first use: at module load they would cost every function that bundles this
 * module ~2 ms of cold start (all of them do: the core's action table reaches it), not only the one that screens.
 */
interface Lists {
  /** Legal-form word sequences of one word, and of several (longest first). */
  readonly legalSingle: ReadonlySet<string>;
  readonly legalMulti: readonly (readonly string[])[];
  readonly abbreviationOf: ReadonlyMap<string, string>;
  readonly stop: ReadonlySet<string>;
}
let built: Lists | undefined;

function lists(): Lists {
  if (!built) {
    const legal = [...new Set(LEGAL_FORMS.map((f) => words(f).join(' ')))].map((f) => f.split(' ')).sort((a, b) => b.length - a.length);
    built = {
      legalSingle: new Set(legal.filter((seq) => seq.length === 1).map((seq) => seq[0]!)),
      legalMulti: legal.filter((seq) => seq.length > 1),
      abbreviationOf: new Map<string, string>(Object.entries(ABBREVIATIONS).flatMap(([canonical, forms]) => [canonical, ...forms].map((f) => [words(f).join(''), canonical] as [string, string]))),
      stop: new Set(STOPWORDS),
    };
  }
  return built;
}

function withoutLegalForms(ws: string[]): string[] {
  const { legalMulti, legalSingle } = lists();
  const out: string[] = [];
  for (let i = 0; i < ws.length;) {
    const seq = legalMulti.find((s) => s.every((w, j) => ws[i + j] === w));
    if (seq) {
      i += seq.length;
      continue;
    }
    if (!legalSingle.has(ws[i]!)) out.push(ws[i]!);
    i++;
  }
  return out;
}

/** The screening form of one name. A name made only of legal-form words or stopwords keeps them. */
export function screenName(name: string): ScreenName {
  const raw = words(name);
  let ws = withoutLegalForms(raw);
  if (ws.length === 0) ws = raw;
  const kept = ws.filter((w) => !lists().stop.has(w));
  if (kept.length > 0) ws = kept;
  // Joined as written, before abbreviations: a typing error that moves a space ("TealI ndustries") leaves these letters.
  const compact = ws.join('');
  const tokens = [...new Set(ws.map((w) => lists().abbreviationOf.get(w) ?? w))].sort();
  return { tokens, key: tokens.join(' '), compact };
}

/** Words of an address, for the address comparison (no legal forms, same letters). */
export function addressWords(address: string): string[] {
  return [...new Set(words(address).map((w) => lists().abbreviationOf.get(w) ?? w))];
}
