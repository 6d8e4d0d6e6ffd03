/** Name comparison of PROTOCOL §5: equal comparison keys means the names match. */

const KEEP = /[\p{L}\p{N}\p{M}]/gu;

/** NFKC; upper then lower case; NFKC again; keep only letters, numbers and marks. */
export function nameKey(name: string): string {
  const folded = name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  return (folded.match(KEEP) ?? []).join('');
}

export function namesMatch(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}
