/** Throttling per route class and reserved concurrency per function: defaults, context overrides, and refusals of bad values. */
import { describe, it, expect } from 'vitest';
import { App, type CfnElement } from 'aws-cdk-lib';
import { throttledRoutes } from '../../lib/constructs/exchange-api.ts';
import { HANDLER_NAMES } from '../../lib/constructs/handlers.ts';
import {
  ACTION_CLASS, DEFAULT_RESERVED_CONCURRENCY, DEFAULT_THROTTLE, DELIVERER_RESERVED_CONCURRENCY, NOTIFIER_RESERVED_CONCURRENCY, OVERDUE_RESERVED_CONCURRENCY, SEALER_RESERVED_CONCURRENCY, type RouteClass,
} from '../../lib/limits.ts';
import { readSettings } from '../../lib/settings.ts';
import { ACTION_ROUTES } from '../../lambdas/core/routes.ts';
import { synthesizeVariant, type Variant } from './synth.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

function stageOf(v: Variant): Json {
  const id = v.stack.getLogicalId(v.stack.exchangeApi.stage.node.defaultChild as CfnElement);
  return (v.templates[0]!.template.toJSON() as Json).Resources[id];
}

function reservedOf(v: Variant): Record<string, number> {
  const resources = (v.templates[0]!.template.toJSON() as Json).Resources;
  return Object.fromEntries(HANDLER_NAMES.map((n) => {
    const id = v.stack.getLogicalId(v.stack.handlers.byName[n].fn.node.defaultChild as CfnElement);
    return [n, resources[id].Properties.ReservedConcurrentExecutions as number];
  }));
}

describe('API throttling', () => {
  it('the stage default is the `default` class; write, audit and console routes have their own, lower limits', () => {
    const stage = stageOf(synthesizeVariant());
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: DEFAULT_THROTTLE.default.rate, ThrottlingBurstLimit: DEFAULT_THROTTLE.default.burst,
    });
    const expected: Record<string, unknown> = {};
    for (const { routeKey, cls } of throttledRoutes()) {
      expected[routeKey] = { ThrottlingRateLimit: DEFAULT_THROTTLE[cls].rate, ThrottlingBurstLimit: DEFAULT_THROTTLE[cls].burst };
    }
    expect(stage.Properties.RouteSettings).toEqual(expected);
    for (const cls of ['write', 'audit', 'console'] as RouteClass[]) {
      expect(DEFAULT_THROTTLE[cls].rate, cls).toBeLessThan(DEFAULT_THROTTLE.default.rate);
    }
  });

  it('publish and audit routes sit below verify; the shipment-time hot path uses the stage default', () => {
    const settings = stageOf(synthesizeVariant()).Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number }>;
    const route = (act: string) => `POST ${ACTION_ROUTES.find((r) => r.act === act)!.path}`;
    for (const act of ['license.verify', 'license.drawdown', 'euc.query']) expect(settings[route(act)], act).toBeUndefined();
    expect(settings[route('license.publish')]!.ThrottlingRateLimit).toBe(DEFAULT_THROTTLE.write.rate);
    expect(settings[route('euc.publish')]!.ThrottlingRateLimit).toBe(DEFAULT_THROTTLE.write.rate);
    for (const act of ['audit.query', 'audit.proof', 'audit.seals']) expect(settings[route(act)]!.ThrottlingRateLimit, act).toBe(DEFAULT_THROTTLE.audit.rate);
    expect(settings['GET /console']!.ThrottlingRateLimit).toBe(DEFAULT_THROTTLE.console.rate);
    // every classified action is a real route
    for (const act of Object.keys(ACTION_CLASS)) expect(ACTION_ROUTES.some((r) => r.act === act), act).toBe(true);
  });

  it('the stage waits for every route (API Gateway refuses route settings for routes it does not know yet)', () => {
    const v = synthesizeVariant();
    const routes = Object.entries((v.templates[0]!.template.toJSON() as Json).Resources)
      .filter(([, r]) => (r as Json).Type === 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect(stageOf(v).DependsOn).toEqual(expect.arrayContaining(routes));
  });

  it('corridor:throttle overrides a class, as an object (cdk.json) or JSON text (-c)', () => {
    const text = synthesizeVariant({ 'corridor:throttle': '{"audit":{"rate":3,"burst":6},"default":{"rate":50}}' });
    expect(stageOf(text).Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: DEFAULT_THROTTLE.default.burst });
    expect(stageOf(text).Properties.RouteSettings['POST /v1/audit/query']).toEqual({ ThrottlingRateLimit: 3, ThrottlingBurstLimit: 6 });
    const object = synthesizeVariant({ 'corridor:throttle': { write: { rate: 5, burst: 5 } } });
    expect(stageOf(object).Properties.RouteSettings['POST /v1/licenses']).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 5 });
  });
});

describe('reserved concurrency', () => {
  it('each function gets its default; the sealer exactly 1; the total stays modest', () => {
    const reserved = reservedOf(synthesizeVariant());
    expect(reserved).toEqual({ ...DEFAULT_RESERVED_CONCURRENCY, sealer: SEALER_RESERVED_CONCURRENCY, overdue: OVERDUE_RESERVED_CONCURRENCY, notifier: NOTIFIER_RESERVED_CONCURRENCY, deliverer: DELIVERER_RESERVED_CONCURRENCY });
    const total = Object.values(reserved).reduce((a, b) => a + b, 0);
    expect(total).toBe(61 + OVERDUE_RESERVED_CONCURRENCY + NOTIFIER_RESERVED_CONCURRENCY + DELIVERER_RESERVED_CONCURRENCY);
    // A default account (1,000) keeps far more than Lambda's 100 unreserved minimum.
    expect(1000 - total).toBeGreaterThanOrEqual(100);
  });

  it('corridor:reservedConcurrency overrides single functions (never the sealer)', () => {
    const reserved = reservedOf(synthesizeVariant({ 'corridor:reservedConcurrency': '{"licenses":40,"console":1}' }));
    expect(reserved).toMatchObject({ licenses: 40, console: 1, eucs: DEFAULT_RESERVED_CONCURRENCY.eucs, sealer: 1 });
  });
});

describe('limit settings are checked', () => {
  const settings = (context: Record<string, unknown>) => () => readSettings(new App({ context }));

  it('refuses unknown functions and classes, the sealer, non-positive numbers and a burst below the rate', () => {
    expect(settings({ 'corridor:reservedConcurrency': { licences: 5 } })).toThrow(/unknown key licences/);
    expect(settings({ 'corridor:reservedConcurrency': { sealer: 2 } })).toThrow(/unknown key sealer/);
    expect(settings({ 'corridor:reservedConcurrency': { audit: 0 } })).toThrow(/corridor:reservedConcurrency.audit must be a positive integer/);
    expect(settings({ 'corridor:throttle': { verify: { rate: 1 } } })).toThrow(/unknown key verify/);
    expect(settings({ 'corridor:throttle': { write: { rate: 10, burst: 5 } } })).toThrow(/burst \(5\) below rate \(10\)/);
    expect(settings({ 'corridor:throttle': { write: { rps: 10 } } })).toThrow(/unknown key rps/);
    expect(settings({ 'corridor:throttle': '[1,2]' })).toThrow(/must be an object/);
  });
});
