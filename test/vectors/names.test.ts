// Every case of test/vectors/data/names.json: comparison keys and the match verdict.
import { describe, expect, it } from 'vitest';
import { readVectors } from '../helpers/vectors.ts';
import { nameKey, namesMatch } from '../../lambdas/core/names.ts';

interface NameVector { a: string; b: string; keyA: string; keyB: string; match: boolean }
const { vectors } = readVectors<{ vectors: NameVector[] }>('names.json');

describe('protocol.md §5 name matching vectors', () => {
  it.each(vectors)('$a vs $b → $match', ({ a, b, keyA, keyB, match }) => {
    expect(nameKey(a)).toBe(keyA);
    expect(nameKey(b)).toBe(keyB);
    expect(namesMatch(a, b)).toBe(match);
  });
});
