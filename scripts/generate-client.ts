/**
 * Builds the client package for plain Node (no tsx): the types from schemas/ first, then
 * dist/client/index.js and dist/client/kms.js (ESM bundles of lambdas/client, dependencies
 * left as imports: they are the package's own dependencies) and their declarations under
 * dist/client/types/ (tsc, declarations only, of just the client's files).
 * Part of `npm run generate` (prepare, prestart, pretest); dist/ is not committed.
 * The declaration step costs seconds, so it is skipped while no input changed.
 */
import './generate-client-types.ts';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'dist/client');
const ENTRIES = { index: 'lambdas/client/index.ts', kms: 'lambdas/client/kms-signer.ts' } as const;

const result = await build({
  entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
  outdir: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});

// Every source file of the bundles, plus the compiler options: when none changed, the
// declarations on disk are still right.
const inputs = Object.keys(result.metafile.inputs).sort();
const hash = createHash('sha256');
for (const f of [...inputs, 'tsconfig.json', 'scripts/tsconfig.client.json', 'package.json']) hash.update(f).update(readFileSync(join(ROOT, f)));
const stamp = hash.digest('hex');
const STAMP = join(OUT, '.d.ts.stamp');
const TYPES = join(OUT, 'types');
const have = Object.values(ENTRIES).every((f) => existsSync(join(TYPES, f.replace(/\.ts$/, '.d.ts'))));
if (!have || !existsSync(STAMP) || readFileSync(STAMP, 'utf8') !== stamp) {
  rmSync(TYPES, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'scripts/tsconfig.client.json'), '--noEmit', 'false', '--declaration', '--emitDeclarationOnly', '--rootDir', ROOT, '--outDir', TYPES], { stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error('declarations of the client did not compile');
  writeFileSync(STAMP, stamp);
}
console.log(`client package: ${Object.keys(ENTRIES).map((n) => `dist/client/${n}.js`).join(', ')} with declarations (${inputs.length} sources)`);
