// Issue 17 item 8: nothing in the code deletes from the audit or documents tables, so no role in the
// deployed stack may DeleteItem there (that would let an insider remove the last seal, its events and
// the head unnoticed); only the sealer holds BatchWriteItem on the audit table, which IAM cannot limit to puts. The only delete in the code is agreement.put withdrawing an agreement
// (lambdas/core/agreements.ts → DynamoDbStore), so only the agencies function may delete, and only
// in the registry. Every policy of every stack is read, wildcards expanded.
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_NAMES } from '../../lib/constructs/handlers.ts';
import type { TableId } from '../../lib/constructs/tables.ts';
import { synthesizeVariant, type Variant } from './synth.ts';

interface StatementJson { Sid?: string; Effect: string; Action?: string | string[]; NotAction?: string | string[]; Resource?: unknown }
interface PolicyJson { owner: string; st: StatementJson }

/** The IAM actions that remove an item: DeleteItem (also what a transaction's Delete needs) and PartiQL's DELETE. */
const ITEM_DELETES = ['dynamodb:DeleteItem', 'dynamodb:PartiQLDelete'];
/** BatchWriteItem may carry DeleteRequests, and IAM cannot limit it to puts. */
const BATCH = 'dynamodb:BatchWriteItem';

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
/** IAM action globs (`dynamodb:Delete*`, `*`), matched case-insensitively as IAM does. */
const matches = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action);
const allowsDelete = (st: StatementJson): boolean =>
  st.Effect === 'Allow' && (st.NotAction !== undefined || ITEM_DELETES.some((a) => asList(st.Action).some((p) => matches(p, a))));

let v: Variant;
let policies: PolicyJson[];
const logicalId = (c: IConstruct): string => v.stack.getLogicalId(c.node.defaultChild as CfnElement);
/** Does the statement's resource name this table (its ARN, an ARN built from it, or everything)? */
const reaches = (st: StatementJson, t: TableId): boolean => {
  const text = JSON.stringify(st.Resource ?? '*');
  return text.includes(`"${logicalId(v.stack.tables.byId[t].table)}"`) || asList(st.Resource as string | string[]).some((r) => typeof r === 'string' && (r === '*' || /dynamodb:[^:]*:[^:]*:table\/\*/.test(r)));
};

beforeAll(() => {
  v = synthesizeVariant();
  policies = v.templates.flatMap(({ template }) =>
    Object.entries(template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>).flatMap(([id, r]) => {
      const docs = r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy' ? [r.Properties!.PolicyDocument]
        : r.Type === 'AWS::IAM::Role' ? asList(r.Properties!.Policies as { PolicyDocument: unknown }[] | undefined).map((p) => p.PolicyDocument) : [];
      return docs.flatMap((d) => asList((d as { Statement: StatementJson | StatementJson[] }).Statement).map((st) => ({ owner: id, st })));
    }));
}, 120_000);

describe('no API role may delete from the audit or documents tables', () => {
  it('reads the policies of every function (the matcher sees what it must)', () => {
    const owners = new Set(policies.map((p) => p.owner));
    for (const n of HANDLER_NAMES) expect(owners.has(logicalId(v.stack.handlers.byName[n].policy)), n).toBe(true);
    expect(allowsDelete({ Effect: 'Allow', Action: 'dynamodb:Delete*' })).toBe(true);
    expect(allowsDelete({ Effect: 'Allow', Action: ['dynamodb:getitem', 'dynamodb:*'] })).toBe(true);
    expect(allowsDelete({ Effect: 'Allow', Action: 'dynamodb:PutItem' })).toBe(false);
  });

  it.each(['audit', 'documents'] as const)('%s: no statement of any policy allows an item delete on it', (t) => {
    const found = policies.filter(({ st }) => allowsDelete(st) && reaches(st, t)).map(({ owner, st }) => `${owner}/${st.Sid ?? '?'}`);
    expect(found).toEqual([]);
  });

  it('BatchWriteItem (which can delete too): no function at all (the sealer no longer rewrites events)', () => {
    const found = policies.filter(({ st }) => st.Effect === 'Allow' && asList(st.Action).some((p) => matches(p, BATCH)));
    expect(found).toEqual([]);
  });

  it('the one delete the code makes: the agencies function, in the registry (agreement withdrawal), nowhere else', () => {
    const found = policies.filter(({ st }) => allowsDelete(st)).map(({ owner, st }) => ({ owner, sid: st.Sid, tables: (['registry', 'audit', 'documents'] as const).filter((t) => reaches(st, t)) }));
    expect(found).toEqual([{ owner: logicalId(v.stack.handlers.byName.agencies.policy), sid: 'RegistryItems', tables: ['registry'] }]);
  });
});
