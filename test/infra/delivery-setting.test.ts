/** delivery.list's N (not delivered N days after shipment): CDK context corridor:deliveryOverdueDays → the licenses function's environment → readConfig → the core. */
import { App, type CfnElement } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DELIVERY_OVERDUE_DAYS_ENV, readConfig } from '../../lambdas/config.ts';
import { DEFAULT_DELIVERY_OVERDUE_DAYS } from '../../lambdas/core/deliveries.ts';
import { KMS_KEYS, TABLES } from '../../lambdas/definitions.ts';
import { HANDLER_NAMES } from '../../lib/constructs/handlers.ts';
import { readSettings } from '../../lib/settings.ts';
import { synthesizeVariant, type Variant } from './synth.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

function envOf(v: Variant): Record<string, Record<string, string> | undefined> {
  const resources = (v.templates[0]!.template.toJSON() as Json).Resources;
  return Object.fromEntries(HANDLER_NAMES.map((n) => {
    const id = v.stack.getLogicalId(v.stack.handlers.byName[n].fn.node.defaultChild as CfnElement);
    return [n, resources[id].Properties.Environment?.Variables as Record<string, string> | undefined];
  }));
}

/** Every variable readConfig requires, from the same definitions it reads. */
const ENV: Record<string, string> = { ...Object.fromEntries([...TABLES, ...KMS_KEYS].map((d) => [d.envVar, d.id])), AWS_REGION: 'eu-central-1' };

describe('corridor:deliveryOverdueDays', () => {
  it('defaults to 90 and is set on the licenses function only (the one that answers delivery.list)', () => {
    expect(readSettings(new App({ context: {} })).deliveryOverdueDays).toBe(DEFAULT_DELIVERY_OVERDUE_DAYS);
    const env = envOf(synthesizeVariant());
    expect(env.licenses?.[DELIVERY_OVERDUE_DAYS_ENV]).toBe('90');
    expect(Object.entries(env).filter(([, e]) => e?.[DELIVERY_OVERDUE_DAYS_ENV] !== undefined).map(([n]) => n)).toEqual(['licenses']);
  });

  it('an override from context reaches the function', () => {
    expect(envOf(synthesizeVariant({ 'corridor:deliveryOverdueDays': 30 })).licenses?.[DELIVERY_OVERDUE_DAYS_ENV]).toBe('30');
  });

  it('refuses a value that is not a whole number of days from 1 to 3650', () => {
    for (const bad of [0, -1, 1.5, 'soon', 3651]) expect(() => readSettings(new App({ context: { 'corridor:deliveryOverdueDays': bad } })), String(bad)).toThrow(/corridor:deliveryOverdueDays/);
  });

  it('readConfig takes it from the environment, default 90, and fails fast naming the variable', () => {
    expect(readConfig(ENV).deliveryOverdueDays).toBe(90);
    expect(readConfig({ ...ENV, [DELIVERY_OVERDUE_DAYS_ENV]: '45' }).deliveryOverdueDays).toBe(45);
    for (const bad of ['0', '3651', 'x', '-5']) expect(() => readConfig({ ...ENV, [DELIVERY_OVERDUE_DAYS_ENV]: bad }), bad).toThrow(DELIVERY_OVERDUE_DAYS_ENV);
  });
});
