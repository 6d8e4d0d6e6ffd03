/**
 * Cold start: every handler bundled as CDK bundles it (BUNDLING from lib/constructs/handler-function.ts,
 * the AWS SDK inside, minified, ESM), then timed in fresh Node processes: import of the bundle,
 * which builds the handler's services at module load, as Lambda's init phase does, under the NODE_OPTIONS
 * the function is deployed with (nodeOptions). Baseline: a bundle that only imports and constructs the
 * DynamoDB and KMS clients and jose (bench/cold-baseline.ts) with the SDK's default credential chain (the functions
 * carry only its environment link, lambdas/adapters/aws/lambda-credentials.ts; the baseline bundled so too is timed as
 * a reference), run both ways: each function is compared with
 * the baseline under its own options. Every bundle is also timed under the other options, for the record.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_MARKERS, esbuildOptions } from '../lib/constructs/bundle-options.ts';
import { handlerEntry, invocationOf, nodeOptions, PROJECT_ROOT, type HandlerName } from '../lib/constructs/handler-function.ts';
import { DEFAULT_BUNDLE_MODES, type BundleModes } from '../lambdas/bundle-modes.ts';
import { KMS_KEYS, TABLES } from '../lambdas/definitions.ts';

/** Every API function (the HTTP API's handler groups), the console and the sealer. */
export const HANDLERS: readonly HandlerName[] = ['agencies', 'licenses', 'eucs', 'audit', 'denials', 'discovery', 'console', 'sealer'];
const OUT = join(PROJECT_ROOT, 'bench/out/bundles');

/**
 * `initMs`/`ratio`: under the function's deployed NODE_OPTIONS (`sourceMaps`: whether they hold --enable-source-maps),
 * against the baseline under the same. `otherMs`/`otherRatio`: both under the other setting.
 */
export interface BundleResult { name: string; bytes: number; sourceMaps: boolean; initMs: number; ratio: number; hasAjvCompiler: boolean; otherMs: number; otherRatio: number }
export interface ColdStart {
  /** The baseline as an API function is deployed (without --enable-source-maps: nodeOptions('http-api')), and with it. */
  baselineMs: number; baselineBytes: number; bundles: BundleResult[]; powertoolsMs: number; powertoolsBytes: number; baselineSourceMapsMs: number;
  /** The baseline bundled with BUNDLING's credential alias, as the functions are: what the rest of a function costs. */
  trimmedBaselineMs: number; trimmedBaselineBytes: number;
  /** The licenses function bundled with corridor:tracing=sdk (Powertools' Tracer, the X-Ray SDK): the opt-in's cost. */
  sdkTracing: { name: string; bytes: number; initMs: number; ratio: number };
}

/** The function whose corridor:tracing=sdk bundle the bench also times. */
export const SDK_TRACING_PROBE: HandlerName = 'licenses';

/**
 * `fn`: the handler, defined as CDK does; the reference bundles have none. `sdkChain`: keep the SDK's default credential
 * chain (no BUNDLING alias), as any function that imports the clients has it: the baseline as the issue defined it.
 */
async function bundle(name: string, entry: string, modes?: BundleModes, fn?: HandlerName, sdkChain = false): Promise<string> {
  const dir = join(OUT, name);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'index.mjs');
  await build({ ...esbuildOptions(entry, outfile, modes, fn), ...(sdkChain ? { alias: {} } : {}) });
  return outfile;
}

/**
 * Environment a deployed function has: names and ids only (no call is made during init). Every table and key the
 * stack defines, from the same definitions readConfig requires, so a new one cannot break the bench.
 */
const ENV = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  CORRIDOR_EXCHANGE_ID: 'corridor:bench',
  ...Object.fromEntries(TABLES.map((t) => [t.envVar, t.id])),
  ...Object.fromEntries(KMS_KEYS.map((k) => [k.envVar, `alias/${k.id}`])),
  POWERTOOLS_DEV: 'false',
};

/** --enable-source-maps in the NODE_OPTIONS a function invoked as `name` is deployed with. */
const deployedWithMaps = (name: HandlerName): boolean => (nodeOptions(invocationOf(name)) ?? '').includes('--enable-source-maps');
/** The API functions' setting: the baseline's and the reference bundles' "as deployed". */
const API_MAPS = deployedWithMaps('licenses');

/** One fresh process: ms from just before import() to the module (and its services) being ready. */
function initOnce(file: string, sourceMaps: boolean): number {
  const script = `const t=performance.now();await import(${JSON.stringify(`file://${file}`)});process.stdout.write(String(performance.now()-t));`;
  const out = execFileSync(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '--no-warnings', '--input-type=module', '-e', script], { env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Number(out);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function coldStart(samples = 7): Promise<ColdStart> {
  const baseline = await bundle('baseline', join(PROJECT_ROOT, 'bench/cold-baseline.ts'), undefined, undefined, true);
  const trimmed = await bundle('baseline-env-credentials', join(PROJECT_ROOT, 'bench/cold-baseline.ts'));
  const powertools = await bundle('powertools', join(PROJECT_ROOT, 'bench/cold-powertools.ts'), undefined, undefined, true);
  const files = await Promise.all(HANDLERS.map(async (h) => [h, await bundle(h, handlerEntry(h), DEFAULT_BUNDLE_MODES, h)] as const));
  const sdkName = `${SDK_TRACING_PROBE}-tracing-sdk`;
  const sdk = await bundle(sdkName, handlerEntry(SDK_TRACING_PROBE), { ...DEFAULT_BUNDLE_MODES, tracing: 'sdk' }, SDK_TRACING_PROBE);
  const all: [string, string][] = [['baseline', baseline], ['baseline-env-credentials', trimmed], ['powertools', powertools], [sdkName, sdk], ...files.map(([n, f]): [string, string] => [n, f])];
  const times = new Map<string, number[]>(all.flatMap(([n]) => [[n, []], [`${n}/nomap`, []]] as [string, number[]][]));
  // Interleaved and in a new order each round, so machine load and file caches favour no bundle.
  for (let i = 0; i < samples; i++) {
    for (const [n, f] of [...all].sort(() => Math.random() - 0.5)) {
      times.get(n)!.push(initOnce(f, true));
      times.get(`${n}/nomap`)!.push(initOnce(f, false));
    }
  }
  const ms = (n: string, maps: boolean): number => median(times.get(maps ? n : `${n}/nomap`)!);
  const baselineMs = ms('baseline', API_MAPS);
  return {
    baselineMs,
    baselineBytes: statSync(baseline).size,
    trimmedBaselineMs: ms('baseline-env-credentials', API_MAPS),
    trimmedBaselineBytes: statSync(trimmed).size,
    powertoolsMs: ms('powertools', API_MAPS),
    powertoolsBytes: statSync(powertools).size,
    baselineSourceMapsMs: ms('baseline', true),
    sdkTracing: { name: sdkName, bytes: statSync(sdk).size, initMs: ms(sdkName, API_MAPS), ratio: ms(sdkName, API_MAPS) / baselineMs },
    bundles: files.map(([name, f]) => {
      const maps = deployedWithMaps(name);
      const initMs = ms(name, maps);
      const otherMs = ms(name, !maps);
      return {
        name, bytes: statSync(f).size, sourceMaps: maps, initMs, ratio: initMs / ms('baseline', maps),
        hasAjvCompiler: readFileSync(f, 'utf8').includes('strictSchema'), otherMs, otherRatio: otherMs / ms('baseline', !maps),
      };
    }),
  };
}
