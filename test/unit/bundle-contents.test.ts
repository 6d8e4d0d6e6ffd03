/**
 * What the deployed bundles hold (issue 16): built with the CDK's own esbuild options and the default modes
 * (corridor:tracing=function, corridor:edge=http-api), no API function carries the X-Ray SDK or the Secrets Manager
 * client; the opt-in modes bring each back, so the markers do find them when they are there.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLE_MODES, type BundleModes } from '../../lambdas/bundle-modes.ts';
import { BUNDLE_MARKERS, esbuildOptions } from '../../lib/constructs/bundle-options.ts';
import { handlerEntry, type HandlerName } from '../../lib/constructs/handler-function.ts';
import { API_GROUPS } from '../../lib/constructs/handlers.ts';

async function bundleText(name: HandlerName, modes: BundleModes): Promise<string> {
  const result = await build({ ...esbuildOptions(handlerEntry(name), `/virtual/${name}/index.mjs`, modes), sourcemap: false, write: false });
  return result.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text;
}

describe('API function bundles', () => {
  it.each([...API_GROUPS])('%s, default modes: neither the X-Ray SDK nor the Secrets Manager client', async (name) => {
    const text = await bundleText(name, DEFAULT_BUNDLE_MODES);
    expect(text.includes(BUNDLE_MARKERS.xraySdk), 'X-Ray SDK').toBe(false);
    expect(text.includes(BUNDLE_MARKERS.secretsManager), 'Secrets Manager client').toBe(false);
  }, 60_000);

  it('tracing=sdk brings the X-Ray SDK, edge=cloudfront-waf the Secrets Manager client, each only with its mode', async () => {
    const sdk = await bundleText('licenses', { tracing: 'sdk', edge: 'http-api' });
    expect([sdk.includes(BUNDLE_MARKERS.xraySdk), sdk.includes(BUNDLE_MARKERS.secretsManager)]).toEqual([true, false]);
    const edge = await bundleText('licenses', { tracing: 'function', edge: 'cloudfront-waf' });
    expect([edge.includes(BUNDLE_MARKERS.xraySdk), edge.includes(BUNDLE_MARKERS.secretsManager)]).toEqual([false, true]);
  }, 60_000);
});
