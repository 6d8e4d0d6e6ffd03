/**
 * corridor:tracing (issue 16): `function` by default — Lambda active tracing on every function that reaches AWS, no
 * X-Ray SDK in the bundles — `sdk` on request, and `off` (no active tracing, no X-Ray grant). The context reaches each function's environment (CORRIDOR_TRACING)
 * and its bundling (the modes esbuild defines); what a default bundle then holds is test/unit/bundle-contents.test.ts.
 */
import { App, type CfnElement } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { TRACING_ENV } from '../../lambdas/bundle-modes.ts';
import { HANDLER_NAMES } from '../../lib/constructs/handlers.ts';
import { readSettings } from '../../lib/settings.ts';
import { synthesizeVariant, type Variant } from './synth.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

/** Per function: its TracingConfig mode, its CORRIDOR_TRACING, and the modes its bundle is built for. */
function tracingOf(v: Variant) {
  const resources = (v.templates[0]!.template.toJSON() as Json).Resources;
  return Object.fromEntries(HANDLER_NAMES.map((n) => {
    const h = v.stack.handlers.byName[n];
    const props = resources[v.stack.getLogicalId(h.fn.node.defaultChild as CfnElement)].Properties;
    return [n, { active: props.TracingConfig?.Mode as string | undefined, env: props.Environment?.Variables?.[TRACING_ENV] as string | undefined, modes: h.bundleModes }];
  }));
}

const reaching = HANDLER_NAMES.filter((n) => n !== 'console');

describe('corridor:tracing', () => {
  it('defaults to function: active tracing on every function that reaches AWS, CORRIDOR_TRACING=function, function bundles', () => {
    expect(readSettings(new App({ context: {} })).tracing).toBe('function');
    const t = tracingOf(synthesizeVariant());
    for (const n of reaching) expect(t[n], n).toEqual({ active: 'Active', env: 'function', modes: { tracing: 'function', edge: 'http-api' } });
    // the console talks to nothing: no trace, no environment at all
    expect(t.console).toMatchObject({ active: undefined, env: undefined });
  });

  it('sdk switches the environment and the bundles, and keeps active tracing', () => {
    const t = tracingOf(synthesizeVariant({ 'corridor:tracing': 'sdk' }));
    for (const n of reaching) expect(t[n], n).toEqual({ active: 'Active', env: 'sdk', modes: { tracing: 'sdk', edge: 'http-api' } });
  });

  it('off: no active tracing and no X-Ray grant on any function; function bundles (no X-Ray SDK), CORRIDOR_TRACING=off', () => {
    const v = synthesizeVariant({ 'corridor:tracing': 'off' });
    const t = tracingOf(v);
    for (const n of reaching) expect(t[n], n).toEqual({ active: undefined, env: 'off', modes: { tracing: 'off', edge: 'http-api' } });
    const policies = Object.values((v.templates[0]!.template.toJSON() as Json).Resources).filter((r) => (r as Json).Type === 'AWS::IAM::ManagedPolicy');
    expect(policies.length).toBeGreaterThan(reaching.length - 1);
    expect(JSON.stringify(policies)).not.toContain('xray:');
    // with tracing on, the same policies do hold the grant: the check above can fail
    expect(JSON.stringify(Object.values((synthesizeVariant().templates[0]!.template.toJSON() as Json).Resources))).toContain('xray:PutTraceSegments');
  });

  it('the edge mode reaches the bundles too (only cloudfront-waf bundles the Secrets Manager client)', () => {
    const t = tracingOf(synthesizeVariant({ 'corridor:edge': 'cloudfront-waf' }));
    for (const n of reaching) expect(t[n]!.modes, n).toEqual({ tracing: 'function', edge: 'cloudfront-waf' });
  });

  it('refuses an unknown mode, naming the setting', () => {
    for (const bad of ['xray', 'SDK', 'none']) {
      expect(() => readSettings(new App({ context: { 'corridor:tracing': bad } })), bad).toThrow(/corridor:tracing must be one of function, sdk, off/);
    }
  });
});
