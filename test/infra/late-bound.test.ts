// Issue 17 item 3: the late bound (lambdas/core/seals.ts, protocol.md §6) assumes no function that writes to the
// audit table runs longer than EVENT_WRITER_TIMEOUT_SECONDS: an event's ts is taken when its handler starts and the
// event is written before the handler returns. Every policy of the synthesized stack that lets a role put items in
// the audit table belongs to a function whose Lambda timeout is within it. Raise a timeout past it and this fails:
// the bound (and docs/audit.md) must move with it.
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_WRITER_TIMEOUT_SECONDS, LATE_BOUND_SECONDS, LATE_MARGIN_SECONDS } from '../../lambdas/core/seals.ts';
import { API_TIMEOUT, HANDLER_NAMES } from '../../lib/constructs/handlers.ts';
import { synthesizeVariant, type Variant } from './synth.ts';

interface StatementJson { Effect: string; Action?: string | string[]; NotAction?: string | string[]; Resource?: unknown }
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** What lets a role write an item: PutItem (also what a transaction's Put needs) and BatchWriteItem. */
const ITEM_WRITES = ['dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert'];
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const matches = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);

let v: Variant;
let resources: Resources;
const logicalId = (c: IConstruct): string => v.stack.getLogicalId(c.node.defaultChild as CfnElement);

/** Logical ids of the managed policies with a statement that lets their role write items of the audit table. */
function policiesWritingAudit(): string[] {
  const audit = `"${logicalId(v.stack.tables.byId.audit.table)}"`;
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) => asList((r.Properties!.PolicyDocument as { Statement: StatementJson | StatementJson[] }).Statement).some((st) =>
      st.Effect === 'Allow' && (st.NotAction !== undefined || ITEM_WRITES.some((a) => asList(st.Action).some((p) => matches(p, a))))
      && (JSON.stringify(st.Resource ?? '*').includes(audit) || asList(st.Resource as string | string[]).includes('*'))))
    .map(([id]) => id);
}

beforeAll(() => {
  v = synthesizeVariant();
  resources = v.templates[0]!.template.toJSON().Resources as Resources;
}, 120_000);

describe('the late bound holds for the deployed functions', () => {
  it('the bound is the longest event writer timeout plus the margin, and covers the API functions', () => {
    expect(LATE_BOUND_SECONDS).toBe(EVENT_WRITER_TIMEOUT_SECONDS + LATE_MARGIN_SECONDS);
    expect(API_TIMEOUT.toSeconds()).toBeLessThanOrEqual(EVENT_WRITER_TIMEOUT_SECONDS);
  });

  it('every function that may write to the audit table times out within EVENT_WRITER_TIMEOUT_SECONDS, and only our functions may', () => {
    const writers = policiesWritingAudit();
    const byPolicy = new Map(HANDLER_NAMES.map((n) => [logicalId(v.stack.handlers.byName[n].policy), n]));
    // Every writer is one of the stack's functions (no role outside them writes events), and the API functions are among them.
    expect(writers.filter((p) => !byPolicy.has(p))).toEqual([]);
    const names = writers.map((p) => byPolicy.get(p)!);
    expect(names).toEqual(expect.arrayContaining(['agencies', 'licenses', 'eucs', 'audit', 'sealer']));
    const timeouts = names.map((n) => [n, resources[logicalId(v.stack.handlers.byName[n].fn)]!.Properties!.Timeout as number] as const);
    expect(timeouts.filter(([, t]) => !(t <= EVENT_WRITER_TIMEOUT_SECONDS))).toEqual([]);
  });
});
