// Every case of shared/vectors/names.json: comparison keys and the match verdict.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nameKey, namesMatch } from '../../lambdas/core/names.ts';

interface NameVector { a: string; b: string; keyA: string; keyB: string; match: boolean }
const { vectors } = JSON.parse(readFileSync(new URL('../../../shared/vectors/names.json', import.meta.url), 'utf8')) as { vectors: NameVector[] };

describe('PROTOCOL §5 name matching vectors', () => {
  it.each(vectors)('$a vs $b → $match', ({ a, b, keyA, keyB, match }) => {
    expect(nameKey(a)).toBe(keyA);
    expect(nameKey(b)).toBe(keyB);
    expect(namesMatch(a, b)).toBe(match);
  });
});
