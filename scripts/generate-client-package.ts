/**
 * Builds @corridor/client (clients/typescript/dist, not committed): the client a partner installs
 * without the exchange, from the same sources as the `corridor` export — lambdas/client, bundled by
 * esbuild into dist/index.js and dist/kms.js, and the declarations scripts/generate-client.ts already
 * emitted, copied to dist/types/. Run after generate-client.ts by `npm run generate`.
 *
 * The package depends on jose only; the KMS signer's @aws-sdk/client-kms is an optional peer, imported
 * by kms.js alone. The bundles are checked against that from esbuild's metafile, and the build fails
 * when anything else would be imported at run time or inlined (a new dependency of lambdas/client
 * must be decided on here, not slip into partners' installs).
 * Skipped while no input changed: the stamp lists the inputs of the last build with their hash.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
const PKG = join(ROOT, 'clients/typescript');
const OUT = join(PKG, 'dist');
const DECLARATIONS = join(ROOT, 'dist/client/types/lambdas');
const STAMP = join(OUT, '.build.stamp');
const ENTRIES = { index: 'lambdas/client/index.ts', kms: 'lambdas/client/kms-signer.ts' } as const;
/** Run-time imports the bundles may keep; kms.js alone may import the optional peer. */
const EXTERNAL = ['jose', '@aws-sdk/client-kms'];
const PEER_ONLY_IN: Record<string, string> = { '@aws-sdk/client-kms': 'kms.js' };
/** Packages inlined into the bundle: canonicalize (Apache-2.0, no dependencies), the JCS of the audit log's leaf hashes. */
const INLINED = ['canonicalize'];

/** The files that decide the output: the last build's inputs, this script, the manifest, the declarations' stamp. */
function fingerprint(inputs: string[]): string | null {
  const hash = createHash('sha256');
  for (const f of [...inputs, 'scripts/generate-client-package.ts', 'clients/typescript/package.json', 'dist/client/.d.ts.stamp']) {
    const file = join(ROOT, f);
    if (!existsSync(file)) return null;
    hash.update(f).update(readFileSync(file));
  }
  return hash.digest('hex');
}

function packageOf(path: string): string | null {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return m ? m[1]! : null;
}

/** Everything the bundles import at run time or inline that the package does not allow; empty when all is well. */
function violations(meta: Metafile): string[] {
  const found: string[] = [];
  for (const [out, o] of Object.entries(meta.outputs)) {
    const name = out.split('/').pop()!;
    for (const imp of o.imports) {
      if (!imp.external) continue;
      if (imp.path.startsWith('node:')) continue;
      const pkg = imp.path.startsWith('@') ? imp.path.split('/').slice(0, 2).join('/') : imp.path.split('/')[0]!;
      const onlyIn = PEER_ONLY_IN[pkg];
      if (EXTERNAL.includes(pkg) && (!onlyIn || onlyIn === name)) continue;
      found.push(`${name} imports ${imp.path}`);
    }
  }
  const inlined = new Set(Object.keys(meta.inputs).map(packageOf).filter((p): p is string => p !== null));
  for (const pkg of inlined) if (!INLINED.includes(pkg)) found.push(`the bundle inlines the package ${pkg}`);
  return found;
}

const previous = existsSync(STAMP) ? (JSON.parse(readFileSync(STAMP, 'utf8')) as { inputs: string[]; hash: string }) : null;
const built = Object.keys(ENTRIES).every((n) => existsSync(join(OUT, `${n}.js`))) && existsSync(join(OUT, 'types/client/index.d.ts'));
if (built && previous && fingerprint(previous.inputs) === previous.hash) {
  console.log('client package: clients/typescript/dist is up to date');
} else {
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
    outdir: OUT,
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    sourcemap: true,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const wrong = violations(result.metafile);
  if (wrong.length) throw new Error(`@corridor/client may depend on jose only (and node: builtins; @aws-sdk/client-kms in kms.js):\n  ${wrong.join('\n  ')}`);
  if (!existsSync(DECLARATIONS)) throw new Error('dist/client/types is missing: scripts/generate-client.ts runs first');

  // The declarations import each other as `./x.ts` (the sources' spelling); a consumer's compiler
  // resolves `./x.js` under every moduleResolution, so that is what the package ships.
  const declarations = new Map<string, string>();
  for (const file of readdirSync(DECLARATIONS, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.d.ts')) continue;
    const text = readFileSync(join(DECLARATIONS, file), 'utf8').replace(/(from\s+'\.{1,2}\/[^']+)\.ts'/g, "$1.js'").replace(/(import\('\.{1,2}\/[^']+)\.ts'\)/g, "$1.js')");
    for (const [, from, dynamic] of text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^'.][^']*)'|import\('([^'.][^']*)'\)/gm)) {
      const spec = (from ?? dynamic)!;
      const onlyIn = PEER_ONLY_IN[spec];
      if (!EXTERNAL.includes(spec) || (onlyIn && file !== 'client/kms-signer.d.ts')) wrong.push(`types/${file} imports ${spec}`);
    }
    declarations.set(file, text);
  }
  if (wrong.length) throw new Error(`@corridor/client's declarations may refer to jose only (@aws-sdk/client-kms in kms-signer.d.ts):\n  ${wrong.join('\n  ')}`);

  rmSync(OUT, { recursive: true, force: true });
  for (const f of result.outputFiles) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.contents);
  }
  for (const [file, text] of declarations) {
    mkdirSync(dirname(join(OUT, 'types', file)), { recursive: true });
    writeFileSync(join(OUT, 'types', file), text);
  }
  // Inlined code travels with its license (Apache-2.0 asks for it).
  mkdirSync(join(OUT, 'licenses'));
  for (const pkg of INLINED) copyFileSync(join(ROOT, 'node_modules', pkg, 'LICENSE'), join(OUT, 'licenses', `${pkg}.txt`));
  const inputs = Object.keys(result.metafile.inputs).sort();
  writeFileSync(STAMP, JSON.stringify({ inputs, hash: fingerprint(inputs) }));
  const size = result.outputFiles.filter((f) => f.path.endsWith('.js')).map((f) => `${relative(PKG, f.path)} ${(f.contents.length / 1024).toFixed(0)} KiB`);
  console.log(`client package: clients/typescript/${size.join(', ')}, declarations in ${relative(PKG, join(OUT, 'types'))}/`);
}
