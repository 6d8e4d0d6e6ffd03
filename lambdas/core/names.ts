/** Name comparison of protocol.md §5: equal comparison keys means the names match. */

const KEEP = /[\p{L}\p{N}\p{M}]/gu;
const ASCII = /^[\x00-\x7f]*$/;
const NOT_ASCII_ALNUM = /[^a-z0-9]+/g;

/** NFKC; upper then lower case; NFKC again; keep only letters, numbers and marks. */
export function nameKey(name: string): string {
  // ASCII is its own NFKC, stays ASCII through both case mappings, and its letters, numbers and marks are [a-z0-9]
  // once lower-cased: the same key without two ICU normalizations (test/unit/name-key-ascii.test.ts compares both).
  if (ASCII.test(name)) return name.toLowerCase().replace(NOT_ASCII_ALNUM, '');
  return normalizedNameKey(name);
}

/** The §5 key by the letter, for any string. */
export function normalizedNameKey(name: string): string {
  const folded = name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  return (folded.match(KEEP) ?? []).join('');
}

export function namesMatch(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}
