/**
 * The protocol's test vectors, kept in the repository as data (`test/vectors/data/*.json`) so that
 * a clone with nothing beside it runs every case. A missing file fails the test that needs it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const DATA = resolve(import.meta.dirname, '../vectors/data');

export function readVectors<T>(file: string): T {
  return JSON.parse(readFileSync(join(DATA, file), 'utf8')) as T;
}
