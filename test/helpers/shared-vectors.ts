/**
 * Finds `shared/vectors/` (the contract's test vectors): beside this repository, as in CI,
 * or beside the repository it was cloned from (a fresh clone in a temporary directory).
 * Never skips: a missing vector file fails the test that needs it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

function candidates(): string[] {
  const dirs = [process.env.CORRIDOR_SHARED_DIR ?? '', join(ROOT, '..', 'shared')];
  try {
    const origin = execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (origin && !origin.includes('://')) dirs.push(join(resolve(ROOT, origin), '..', 'shared'));
  } catch {
    /* not a clone */
  }
  return dirs.filter(Boolean);
}

export function readVectors<T>(file: string): T {
  const dir = candidates().find((d) => existsSync(join(d, 'vectors', file)));
  if (!dir) throw new Error(`shared/vectors/${file} not found (looked in ${candidates().join(', ')}); set CORRIDOR_SHARED_DIR`);
  return JSON.parse(readFileSync(join(dir, 'vectors', file), 'utf8')) as T;
}
