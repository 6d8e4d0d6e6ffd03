/**
 * What the deployed bundles hold (issue 16): built with the CDK's own esbuild options and the default modes
 * (corridor:tracing=function, corridor:edge=http-api), no API function carries the X-Ray SDK or the Secrets Manager
 * client; the opt-in modes bring each back, so the markers do find them when they are there. No function holds another
 * handler group's body validators (core/actions/index.ts and validators.generated.ts are trimmed per function), and no
 * function the SDK's credential chain beyond its environment link (lambdas/adapters/aws/lambda-credentials.ts).
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLE_MODES, type BundleModes } from '../../lambdas/bundle-modes.ts';
import { BUNDLE_MARKERS, esbuildOptions } from '../../lib/constructs/bundle-options.ts';
import { handlerEntry, type HandlerName } from '../../lib/constructs/handler-function.ts';
import { ACTION_ROUTES } from '../../lambdas/core/routes.ts';
import { GROUP_ACTIONS } from '../../lambdas/core/actions/index.ts';
import { API_GROUPS, HANDLER_NAMES } from '../../lib/constructs/handlers.ts';

async function bundleText(name: HandlerName, modes: BundleModes): Promise<string> {
  const result = await build({ ...esbuildOptions(handlerEntry(name), `/virtual/${name}/index.mjs`, modes, name), sourcemap: false, write: false });
  return result.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text;
}

describe('API function bundles', () => {
  it.each([...API_GROUPS])('%s, default modes: neither the X-Ray SDK nor the Secrets Manager client; no other group\'s validators', async (name) => {
    const text = await bundleText(name, DEFAULT_BUNDLE_MODES);
    expect(text.includes(BUNDLE_MARKERS.xraySdk), 'X-Ray SDK').toBe(false);
    expect(text.includes(BUNDLE_MARKERS.secretsManager), 'Secrets Manager client').toBe(false);
    expect(text.includes(BUNDLE_MARKERS.everyDynamoDbCommand), 'every DynamoDB command').toBe(false);
    expect(text.includes(BUNDLE_MARKERS.sdkCredentialChain), 'the SDK\'s full credential chain').toBe(false);
    // A validator keeps its schema's $id when it reports errors from the schema object: some of the group's, none of another's.
    const held = ACTION_ROUTES.filter((r) => text.includes(`"urn:corridor:schema:${r.act}.request"`));
    expect(held.length > 0).toBe(ACTION_ROUTES.some((r) => r.group === name)); // discovery answers no action
    expect(held.filter((r) => r.group !== name).map((r) => r.act)).toEqual([]);
  }, 60_000);

  it('every function, in every mode, carries only the environment link of the credential chain; without the alias the chain is there', async () => {
    for (const name of HANDLER_NAMES) expect((await bundleText(name, DEFAULT_BUNDLE_MODES)).includes(BUNDLE_MARKERS.sdkCredentialChain), name).toBe(false);
    for (const modes of [{ tracing: 'sdk', edge: 'http-api' }, { tracing: 'function', edge: 'cloudfront-waf' }] as const) {
      expect((await bundleText('licenses', modes)).includes(BUNDLE_MARKERS.sdkCredentialChain), JSON.stringify(modes)).toBe(false);
    }
    const unaliased = await build({ ...esbuildOptions(handlerEntry('licenses'), '/virtual/unaliased/index.mjs', DEFAULT_BUNDLE_MODES, 'licenses'), alias: {}, sourcemap: false, write: false });
    expect(unaliased.outputFiles.find((f) => f.path.endsWith('.mjs'))!.text.includes(BUNDLE_MARKERS.sdkCredentialChain)).toBe(true);
  }, 120_000);

  it('each action is in the action table of the group its route names', () => {
    for (const r of ACTION_ROUTES) expect(Object.keys(GROUP_ACTIONS[r.group]), r.act).toContain(r.act);
  });

  it('tracing=sdk brings the X-Ray SDK, edge=cloudfront-waf the Secrets Manager client, each only with its mode', async () => {
    const sdk = await bundleText('licenses', { tracing: 'sdk', edge: 'http-api' });
    expect([sdk.includes(BUNDLE_MARKERS.xraySdk), sdk.includes(BUNDLE_MARKERS.secretsManager)]).toEqual([true, false]);
    const edge = await bundleText('licenses', { tracing: 'function', edge: 'cloudfront-waf' });
    expect([edge.includes(BUNDLE_MARKERS.xraySdk), edge.includes(BUNDLE_MARKERS.secretsManager)]).toEqual([false, true]);
    // the origin check's import() keeps every DynamoDB command in that mode (a cost of cloudfront-waf, docs/performance.md)
    expect(edge.includes(BUNDLE_MARKERS.everyDynamoDbCommand)).toBe(true);
  }, 60_000);
});
