// Every case of test/vectors/data/merkle-rfc9162.json: JCS bytes, leaf hashes, roots, inclusion paths.
import { describe, expect, it } from 'vitest';
import { readVectors } from '../helpers/vectors.ts';
import { b64url, eventLeafHash, inclusionPath, jcs, leafHash, merkleRoot, rootFromPath } from '../../lambdas/core/merkle.ts';

interface Vectors {
  events: Record<string, unknown>[];
  jcs: string[];
  leafHashes: string[];
  trees: { size: number; root: string; paths: { leafIndex: number; path: string[] }[] }[];
  emptyRoot: string;
}
const v = readVectors<Vectors>('merkle-rfc9162.json');
const leaves = v.leafHashes.map((h) => Buffer.from(h, 'base64url'));

describe('RFC 9162 vectors', () => {
  it.each(v.events.map((e, i) => [i, e] as const))('event %i: JCS bytes and leaf hash', (i, event) => {
    expect(jcs(event)).toBe(v.jcs[i]);
    expect(b64url(leafHash(jcs(event)))).toBe(v.leafHashes[i]);
    expect(eventLeafHash({ ...event, hash: 'ignored' })).toBe(v.leafHashes[i]);
  });

  it('empty tree root', () => {
    expect(b64url(merkleRoot([]))).toBe(v.emptyRoot);
  });

  for (const tree of v.trees) {
    it(`tree of size ${tree.size}: root and every inclusion path`, () => {
      const sub = leaves.slice(0, tree.size);
      expect(b64url(merkleRoot(sub))).toBe(tree.root);
      for (const { leafIndex, path } of tree.paths) {
        expect(inclusionPath(leafIndex, sub).map(b64url)).toEqual(path);
        const back = rootFromPath(sub[leafIndex]!, leafIndex, tree.size, path.map((p) => Buffer.from(p, 'base64url')));
        expect(back && b64url(back)).toBe(tree.root);
      }
    });
  }

  it('a wrong path or index does not reproduce the root', () => {
    const tree = v.trees.at(-1)!;
    const sub = leaves.slice(0, tree.size);
    const { leafIndex, path } = tree.paths[1]!;
    const bad = rootFromPath(sub[leafIndex]!, leafIndex + 1, tree.size, path.map((p) => Buffer.from(p, 'base64url')));
    expect(bad && b64url(bad)).not.toBe(tree.root);
  });
});
