// corridor:slowRequestMs: the threshold above which a successful request is logged (plain successes are not).
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLOW_REQUEST_MS, readSlowRequestMs } from '../../lambdas/config.ts';
import { readSettings } from '../../lib/settings.ts';

describe('corridor:slowRequestMs', () => {
  it('defaults to 1000 ms, takes a positive whole number, and refuses anything else at synth', () => {
    expect(readSettings(new App({ context: {} })).slowRequestMs).toBe(DEFAULT_SLOW_REQUEST_MS);
    expect(readSettings(new App({ context: { 'corridor:slowRequestMs': 250 } })).slowRequestMs).toBe(250);
    expect(readSettings(new App({ context: { 'corridor:slowRequestMs': '400' } })).slowRequestMs).toBe(400);
    for (const bad of [0, -5, 1.5, 'fast']) expect(() => readSettings(new App({ context: { 'corridor:slowRequestMs': bad } })), String(bad)).toThrow(/corridor:slowRequestMs/);
  });

  it('the handlers read it from CORRIDOR_SLOW_REQUEST_MS: default when unset, an error when not a whole number', () => {
    expect(readSlowRequestMs({})).toBe(1000);
    expect(readSlowRequestMs({ CORRIDOR_SLOW_REQUEST_MS: '250' })).toBe(250);
    expect(() => readSlowRequestMs({ CORRIDOR_SLOW_REQUEST_MS: 'soon' })).toThrow(/CORRIDOR_SLOW_REQUEST_MS must be a non-negative integer/);
  });
});
