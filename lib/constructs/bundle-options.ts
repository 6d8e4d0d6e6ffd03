/**
 * The esbuild options NodejsFunction derives from BUNDLING and a function's bundle modes, for building the very bundles
 * CDK deploys outside CDK: the cold-start bench (bench/cold-start.ts) and the tests that check what a bundle holds.
 */
import type { BuildOptions } from 'esbuild';
import { bundleDefine, DEFAULT_BUNDLE_MODES, type BundleModes } from '../../lambdas/bundle-modes.ts';
import { BUNDLING } from './handler-function.ts';

/** `fn`: the handler the bundle is for (CDK always names it); omitted for the bench's reference bundles. */
export function esbuildOptions(entry: string, outfile: string, modes: BundleModes = DEFAULT_BUNDLE_MODES, fn?: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: BUNDLING.format === 'esm' ? 'esm' : 'cjs',
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    target: BUNDLING.target,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: [...BUNDLING.externalModules],
    // BUNDLING's `--alias` (`<package>=<file>`), as NodejsFunction passes it to esbuild's CLI
    alias: Object.fromEntries([BUNDLING.esbuildArgs['--alias'].split('=') as [string, string]]),
    define: bundleDefine(modes, fn),
    logLevel: 'error',
  };
}

/**
 * Strings only the X-Ray SDK, the Secrets Manager client, the SDK's full credential chain and the whole DynamoDB command
 * set bring into a bundle (a
 * DynamoDB operation Corridor never calls is there only when esbuild kept the package's every command, as it does for
 * a module graph behind a live `import()`: front-door.ts).
 */
export const BUNDLE_MARKERS = {
  xraySdk: 'AWS_XRAY_DAEMON_ADDRESS',
  secretsManager: 'com.amazonaws.secretsmanager',
  everyDynamoDbCommand: 'DescribeContributorInsights',
  /** Only the SDK's full credential chain (its web-identity link) holds it; a function's bundle has the environment link alone. */
  sdkCredentialChain: 'AssumeRoleWithWebIdentity',
} as const;
