/** Properties of the synthesized Corridor stack that security review and the handlers rely on. */
import { beforeAll, describe, it, expect } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IConstruct } from 'constructs';
import { KMS_KEYS, NOTIFY_QUEUE, TABLES } from '../../lambdas/definitions.ts';
import { ESM_REQUIRE_BANNER, RUNTIME, type HandlerName } from '../../lib/constructs/handler-function.ts';
import { API_GROUPS, CONSOLE, DENIALS, HANDLER_NAMES, REGISTRY_ITEM_ACTIONS_WITH_DELETE, SEALER_AUDIT_ACTIONS, TABLE_ACCESS, TABLE_ITEM_ACTIONS, type TableGrant } from '../../lib/constructs/handlers.ts';
import { CONSOLE_PATHS, DISCOVERY_PATHS, OPENAPI_PATH } from '../../lib/constructs/exchange-api.ts';
import { DEFAULT_RESERVED_CONCURRENCY, DEFAULT_THROTTLE } from '../../lib/limits.ts';
import type { TableId } from '../../lib/constructs/tables.ts';
import { ACTION_ROUTES, PUBLIC_ROUTES } from '../../lambdas/core/routes.ts';
import { cdkJsonContext, synthesize, type Synthesized } from './synth.ts';

const BUNDLING_TIMEOUT = 120_000;
/** Every function: the five API handler groups, the console and the sealer. */
const NAMES: readonly HandlerName[] = HANDLER_NAMES;
/** The functions that get the shared CORRIDOR_* environment: all but the console. */
const WITH_ENV: readonly HandlerName[] = NAMES.filter((n) => n !== 'console');

interface CfnResourceJson { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DeletionPolicy?: string }
interface StatementJson { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown }

let s: Synthesized;
let resources: Record<string, CfnResourceJson>;
beforeAll(() => {
  s = synthesize();
  resources = (s.template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources;
}, BUNDLING_TIMEOUT);

const logicalId = (c: IConstruct): string => s.stack.getLogicalId(c.node.defaultChild as CfnElement);
const getAtt = (c: IConstruct, attr = 'Arn') => ({ 'Fn::GetAtt': [logicalId(c), attr] });
const ref = (c: IConstruct) => ({ Ref: logicalId(c) });
const fnOf = (n: HandlerName) => s.stack.handlers.byName[n];
const statementsOf = (n: HandlerName): StatementJson[] =>
  (resources[logicalId(fnOf(n).policy)]!.Properties!.PolicyDocument as { Statement: StatementJson[] }).Statement;
const policyOf = (n: HandlerName): string => JSON.stringify(statementsOf(n));
const actionsOf = (st: StatementJson): string[] => (Array.isArray(st.Action) ? st.Action : [st.Action]);
const resourcesOf = (st: StatementJson): unknown[] => (Array.isArray(st.Resource) ? st.Resource : [st.Resource]);
const indexArn = (t: TableId, index: string) => ({ 'Fn::Join': ['', [getAtt(s.stack.tables.byId[t].table), `/index/${index}`]] });
/** The table-related statements of a function's policy (everything that names a DynamoDB action). */
const tableStatementsOf = (n: HandlerName): StatementJson[] => statementsOf(n).filter((st) => actionsOf(st).some((a) => a.startsWith('dynamodb:')) && !STREAM_SIDS.includes(st.Sid!));
/** The notifier's reads of the audit table's stream (lib/constructs/notifications.ts), checked apart from its table grants. */
const STREAM_SIDS = ['AuditStreamRead', 'ListStreams'];
/** Every statement of every managed policy in the template, with the policy's logical id. */
const allStatements = (): { policy: string; st: StatementJson }[] =>
  Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
    .flatMap(([id, r]) => (r.Properties!.PolicyDocument as { Statement: StatementJson[] }).Statement.map((st) => ({ policy: id, st })));

describe('KMS keys', { timeout: BUNDLING_TIMEOUT }, () => {
  it('builds every KMS_KEYS definition with its spec, usage, rotation and alias, retained', () => {
    for (const def of KMS_KEYS) {
      const { key } = s.stack.keys.app[def.id];
      expect(resources[logicalId(key)]).toMatchObject({
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        Properties: { KeySpec: def.keySpec, KeyUsage: def.keyUsage, EnableKeyRotation: def.rotation },
      });
      s.template.hasResourceProperties('AWS::KMS::Alias', { AliasName: def.alias, TargetKeyId: getAtt(key) });
    }
    s.template.hasResourceProperties('AWS::KMS::Key', { KeySpec: 'SYMMETRIC_DEFAULT', EnableKeyRotation: true });
  });

  it('the payload key is a rotating symmetric key', () => {
    expect(resources[logicalId(s.stack.keys.app.payload.key)]!.Properties).toMatchObject({
      KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', EnableKeyRotation: true,
    });
  });

  it('the seal key is an ECC P-256 signing key without automatic rotation (KMS cannot rotate asymmetric keys)', () => {
    expect(resources[logicalId(s.stack.keys.app.seal.key)]).toMatchObject({
      Type: 'AWS::KMS::Key',
      DeletionPolicy: 'Retain',
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', EnableKeyRotation: false },
    });
    s.template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/corridor-seal', TargetKeyId: getAtt(s.stack.keys.app.seal.key) });
  });

  it('has separate rotating table, logs and alerts keys, all retained', () => {
    const keys = [s.stack.keys.table, s.stack.keys.logs, s.stack.keys.alerts];
    for (const key of keys) {
      expect(resources[logicalId(key)]).toMatchObject({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    }
    const ids = [...keys, s.stack.keys.app.payload.key, s.stack.keys.app.seal.key].map(logicalId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lets CloudWatch Logs use the logs key only for log groups of this account and region', () => {
    const policy = JSON.stringify(resources[logicalId(s.stack.keys.logs)]!.Properties!.KeyPolicy);
    expect(policy).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(policy).toContain('logs.');
  });

  it('lets CloudWatch use the alerts key only for alarms of this account', () => {
    const statements = (resources[logicalId(s.stack.keys.alerts)]!.Properties!.KeyPolicy as { Statement: StatementJson[] }).Statement;
    const cw = statements.find((st) => st.Sid === 'AllowCloudWatchAlarmsOfThisAccount')!;
    expect(cw).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
    expect(cw.Condition).toMatchObject({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': expect.anything() } });
  });
});

describe('DynamoDB tables', { timeout: BUNDLING_TIMEOUT }, () => {
  it('creates exactly the tables of TABLES', () => {
    s.template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
  });

  it.each(TABLES.map((d) => [d.id, d] as const))('%s: keys from the definition, on-demand, PITR, deletion protection, CMK, retained', (_id, def) => {
    const table = s.stack.tables.byId[def.id].table;
    const keySchema = [{ AttributeName: def.partitionKey.name, KeyType: 'HASH' }];
    if (def.sortKey) keySchema.push({ AttributeName: def.sortKey.name, KeyType: 'RANGE' });
    expect(resources[logicalId(table)]).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: keySchema,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: getAtt(s.stack.keys.table) },
      },
    });
    const props = resources[logicalId(table)]!.Properties!;
    expect(props.TimeToLiveSpecification).toEqual(def.ttlAttribute ? { AttributeName: def.ttlAttribute, Enabled: true } : undefined);
    const gsis = (props.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[] | undefined) ?? [];
    expect(gsis.map((g) => g.IndexName)).toEqual(def.globalIndexes.map((g) => g.indexName));
    for (const index of def.globalIndexes) {
      const keys = [{ AttributeName: index.partitionKey.name, KeyType: 'HASH' }];
      if (index.sortKey) keys.push({ AttributeName: index.sortKey.name, KeyType: 'RANGE' });
      const projection = index.projection.type === 'INCLUDE'
        ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection.attributes] }
        : { ProjectionType: index.projection.type };
      expect(gsis.find((g) => g.IndexName === index.indexName)).toEqual({ IndexName: index.indexName, KeySchema: keys, Projection: projection });
    }
  });

  it('audit: one index, `byTime` (tbucket, tsId) projecting only `event` (no `pending` index: the stream feeds the sealer)', () => {
    const props = resources[logicalId(s.stack.tables.byId.audit.table)]!.Properties!;
    expect(props.GlobalSecondaryIndexes).toEqual([
      // what audit.query and the completeness check read; seals enter it with keys only (seal-index.ts)
      { IndexName: 'byTime', KeySchema: [{ AttributeName: 'tbucket', KeyType: 'HASH' }, { AttributeName: 'tsId', KeyType: 'RANGE' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['event'] } },
    ]);
    expect(props.AttributeDefinitions).toEqual(expect.arrayContaining([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'tbucket', AttributeType: 'S' },
      { AttributeName: 'tsId', AttributeType: 'S' },
    ]));
  });

  it('puts every table in the AWS Backup plan', () => {
    const selection = JSON.stringify(s.template.findResources('AWS::Backup::BackupSelection'));
    for (const def of TABLES) expect(selection).toContain(logicalId(s.stack.tables.byId[def.id].table));
    s.template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: getAtt(s.stack.keys.table) });
  });
});

describe('Lambda functions', { timeout: BUNDLING_TIMEOUT }, () => {
  it('are exactly ten: the six API handler groups, the console, the sealer, the notifier and the deliverer', () => {
    expect([...NAMES].sort()).toEqual(['agencies', 'audit', 'console', 'deliverer', 'denials', 'discovery', 'eucs', 'licenses', 'notifier', 'overdue', 'sealer']);
    expect([...API_GROUPS].sort()).toEqual(['agencies', 'audit', 'denials', 'discovery', 'eucs', 'licenses']);
    expect(new Set(ACTION_ROUTES.map((r) => r.group))).toEqual(new Set(API_GROUPS.filter((g) => g !== 'discovery')));
    s.template.resourceCountIs('AWS::Lambda::Function', NAMES.length);
  });

  it.each(API_GROUPS)('%s: arm64, newest Node runtime, 512 MB (denials 1,536: the screening index), 10 s, its default reserved concurrency (cdk.json overrides none)', (g) => {
    expect(resources[logicalId(fnOf(g).fn)]!.Properties).toMatchObject({
      Architectures: ['arm64'],
      Runtime: RUNTIME.name,
      MemorySize: g === 'denials' ? DENIALS.memorySize : 512,
      Timeout: 10,
      Handler: 'index.handler',
      ReservedConcurrentExecutions: DEFAULT_RESERVED_CONCURRENCY[g],
    });
    expect(RUNTIME.name).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  });

  it('sealer: arm64, newest Node runtime, 512 MB, 60 s, one at a time, no Lambda retries of a scheduled run', () => {
    const { fn } = fnOf('sealer');
    expect(resources[logicalId(fn)]!.Properties).toMatchObject({
      Architectures: ['arm64'],
      Runtime: RUNTIME.name,
      MemorySize: 512,
      Timeout: 60,
      Handler: 'index.handler',
      ReservedConcurrentExecutions: 1,
    });
    s.template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 2); // and the psv.overdue scan's, the other scheduled function
    for (const f of [fn, fnOf('overdue').fn]) {
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: ref(f), MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 120 });
    }
  });

  it('console: arm64, newest Node runtime, 256 MB, 5 s, small fixed reserved concurrency, no Lambda retries config', () => {
    const { fn } = fnOf('console');
    expect(CONSOLE).toMatchObject({ memorySize: 256 });
    expect(cdkJsonContext()['corridor:reservedConcurrency']).toBeUndefined();
    expect(resources[logicalId(fn)]!.Properties).toMatchObject({
      Architectures: ['arm64'],
      Runtime: RUNTIME.name,
      MemorySize: 256,
      Timeout: 5,
      Handler: 'index.handler',
      ReservedConcurrentExecutions: DEFAULT_RESERVED_CONCURRENCY.console,
    });
    expect(DEFAULT_RESERVED_CONCURRENCY.console).toBeLessThan(DEFAULT_RESERVED_CONCURRENCY.licenses);
  });

  it('console: no environment (no CORRIDOR_* variable: no table name, no key ARN, no exchange id; no NODE_OPTIONS, as every API function)', () => {
    expect(resources[logicalId(fnOf('console').fn)]!.Properties!.Environment).toBeUndefined();
  });

  it.each(WITH_ENV)('%s: CORRIDOR_SEAL_KEY_ID is the seal key ARN', (n) => {
    const variables = (resources[logicalId(fnOf(n).fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables.CORRIDOR_SEAL_KEY_ID).toEqual(getAtt(s.stack.keys.app.seal.key));
  });

  it.each(WITH_ENV)('%s: environment names every table, every KMS_KEYS key, the exchange id, the metrics detail, the tracing mode; source maps only off the API', (g) => {
    // Source maps cost every cold start a parse of the map; only functions whose thrown errors reach the log as stacks keep them.
    const sourceMaps = (['sealer', 'overdue', 'notifier', 'deliverer'] as HandlerName[]).includes(g);
    expect((resources[logicalId(fnOf(g).fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS)
      .toBe(sourceMaps ? '--enable-source-maps' : undefined);
    const variables: Record<string, unknown> = {
      CORRIDOR_EXCHANGE_ID: 'corridor:eu-hub',
      CORRIDOR_METRICS_DETAIL: 'decision',
      CORRIDOR_TRACING: 'function',
      ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    };
    for (const def of TABLES) variables[def.envVar] = ref(s.stack.tables.byId[def.id].table);
    for (const def of KMS_KEYS) variables[def.envVar] = getAtt(s.stack.keys.app[def.id].key);
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: `Corridor ${g} handler`,
      Environment: { Variables: variables },
    });
  });

  it.each(NAMES)('%s: logs to its own KMS-encrypted log group kept for a year', (g) => {
    const { fn, logGroup } = fnOf(g);
    expect(resources[logicalId(fn)]!.Properties!.LoggingConfig).toMatchObject({ LogGroup: ref(logGroup) }) // and the log levels (below);
    expect(resources[logicalId(logGroup)]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: getAtt(s.stack.keys.logs) },
    });
  });
});

describe('bundling (local esbuild, no Docker, offline)', { timeout: BUNDLING_TIMEOUT }, () => {
  // synth.ts synthesized with Docker and the network unusable; here we check what came out.
  const bundleDir = (g: HandlerName): string => {
    const assetPath = resources[logicalId(fnOf(g).fn)]!.Metadata!['aws:asset:path'] as string;
    return join(s.assemblyDir, assetPath);
  };

  it.each(NAMES)('%s: an ESM bundle with the createRequire banner, a source map and the AWS SDK inside', (g) => {
    expect(resources[logicalId(fnOf(g).fn)]!.Metadata!['aws:asset:is-bundled']).toBe(true);
    const dir = bundleDir(g);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    // Only Node built-ins stay outside the bundle: jose, ajv and the AWS SDK are all inside it.
    // `from` of an import/export clause follows `}`, `*` binding or a name, i.e. `}` or whitespace (not `/body/from"` in a string).
    const specifiers = [...code.matchAll(/(?<=[}\s])from\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((x) => !isBuiltin(x))).toEqual([]);
  });

  it.each(NAMES)('%s: the bundle loads as an ES module in Node and exports handler', (g) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-central-1',
      // This test runs on the repository's Node, which the SDK may consider old; Lambda runs RUNTIME.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // The console loads without any CORRIDOR_* variable (it gets none); the notification functions also read their queue.
    if (g === 'notifier' || g === 'deliverer') env[NOTIFY_QUEUE.envVar] = 'https://sqs.eu-central-1.amazonaws.com/111122223333/corridor-notify';
    if (WITH_ENV.includes(g)) {
      env.CORRIDOR_EXCHANGE_ID = 'corridor:test';
      for (const def of TABLES) env[def.envVar] = `corridor-${def.id}`;
      for (const def of KMS_KEYS) env[def.envVar] = 'arn:aws:kms:eu-central-1:111122223333:key/00000000-0000-0000-0000-000000000000';
    }
    const url = pathToFileURL(join(bundleDir(g), 'index.mjs')).href;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`,
    ], { env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
  });
});

describe('least privilege', { timeout: BUNDLING_TIMEOUT }, () => {
  it('has no inline policies and no AWS-managed policies on the handler roles; one managed policy per role', () => {
    s.template.resourceCountIs('AWS::IAM::Policy', 0);
    s.template.resourceCountIs('AWS::IAM::ManagedPolicy', NAMES.length);
    for (const n of NAMES) {
      const role = resources[logicalId(fnOf(n).role)]!.Properties!;
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toBeUndefined();
      expect(resources[logicalId(fnOf(n).policy)]!.Properties!.Roles).toEqual([ref(fnOf(n).role)]);
    }
  });

  it.each(NAMES)('%s: its TABLE_ACCESS actions on exactly its tables and indexes, nothing with a wildcard', (n) => {
    const expected: StatementJson[] = [];
    for (const [t, grant] of Object.entries(TABLE_ACCESS[n]) as [TableId, TableGrant][]) {
      const name = t.charAt(0).toUpperCase() + t.slice(1);
      expected.push({ Sid: `${name}Items`, Effect: 'Allow', Action: [...grant.actions].sort(), Resource: getAtt(s.stack.tables.byId[t].table) });
      if (grant.queryIndexes?.length) {
        const arns = grant.queryIndexes.map((i) => indexArn(t, i));
        expected.push({ Sid: `${name}IndexQuery`, Effect: 'Allow', Action: 'dynamodb:Query', Resource: arns.length === 1 ? arns[0] : arns });
      }
    }
    // CloudFormation writes a single action as a string: an items grant of one action (agencies' Query on notifications) is still a list here
    const actual = tableStatementsOf(n).map((st) => ({ ...st, Action: Array.isArray(st.Action) ? [...st.Action].sort() : st.Sid!.endsWith('Items') ? [st.Action] : st.Action }));
    expect(actual).toEqual(expected);
    // The one wildcard: X-Ray's write actions have no resource-level permissions (see 'X-Ray' below).
    // And dynamodb:ListStreams (no resource-level permissions either; the notifier's stream mapping needs it: test/infra/notifications.test.ts).
    expect(JSON.stringify(statementsOf(n).filter((st) => st.Sid !== 'WriteTraces' && st.Sid !== 'ListStreams'))).not.toContain('*');
    expect(policyOf(n)).not.toContain('dynamodb:UpdateItem');
    expect(policyOf(n)).not.toContain('dynamodb:Scan');
    // Batch operations only for the sealer: consistent reads of listed events before sealing, the rewrite of sealed ones.
    if (n !== 'sealer') expect(policyOf(n)).not.toContain('dynamodb:Batch');
  });

  it('API groups get DynamoDbStore\'s item actions on each of their tables; DeleteItem only agencies on the registry (agreement withdrawal)', () => {
    for (const g of API_GROUPS) {
      for (const [t, grant] of Object.entries(TABLE_ACCESS[g])) {
        // notification.list only reads the caller's partition of notifications
        const expected = g === 'agencies' && t === 'registry' ? REGISTRY_ITEM_ACTIONS_WITH_DELETE : g === 'agencies' && t === 'notifications' ? ['dynamodb:Query'] : TABLE_ITEM_ACTIONS;
        expect([...grant!.actions].sort(), `${g} ${t}`).toEqual([...expected].sort());
      }
    }
    expect(TABLE_ITEM_ACTIONS).not.toContain('dynamodb:DeleteItem');
  });

  it('tables: documents only for licenses, eucs, denials and the overdue scan; audit for the action groups and the scheduled functions, never discovery; console none', () => {
    const audit = logicalId(s.stack.tables.byId.audit.table);
    const documents = logicalId(s.stack.tables.byId.documents.table);
    const registry = logicalId(s.stack.tables.byId.registry.table);
    for (const n of NAMES) {
      expect(policyOf(n).includes(documents), n).toBe(n === 'licenses' || n === 'eucs' || n === 'denials' || n === 'overdue');
      expect(policyOf(n).includes(audit), n).toBe(n !== 'discovery' && n !== 'console');
      expect(policyOf(n).includes(registry), n).toBe(n !== 'sealer' && n !== 'overdue' && n !== 'console');
    }
  });

  it('indexes: only audit (audit.query) and the sealer (the completeness check, seal lookups) query `byTime`', () => {
    for (const n of NAMES) {
      expect(policyOf(n).includes('/index/byTime'), n).toBe(n === 'audit' || n === 'sealer');
      expect(policyOf(n).includes('/index/pending'), n).toBe(false);
    }
    const sealerIndex = tableStatementsOf('sealer').find((st) => st.Sid === 'AuditIndexQuery')!;
    expect(sealerIndex).toMatchObject({ Action: 'dynamodb:Query', Resource: indexArn('audit', 'byTime') });
    const auditIndex = tableStatementsOf('audit').find((st) => st.Sid === 'AuditIndexQuery')!;
    expect(auditIndex).toMatchObject({ Action: 'dynamodb:Query', Resource: indexArn('audit', 'byTime') });
  });

  it('sealer: on the audit table GetItem, PutItem and BatchGetItem only (no Query on the table, no batch write, no Delete, no Update, no registry)', () => {
    expect([...SEALER_AUDIT_ACTIONS].sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    const items = tableStatementsOf('sealer').find((st) => st.Sid === 'AuditItems')!;
    expect([...actionsOf(items)].sort()).toEqual([...SEALER_AUDIT_ACTIONS].sort());
    expect(resourcesOf(items)).toEqual([getAtt(s.stack.tables.byId.audit.table)]);
  });

  it.each(NAMES)('%s: X-Ray active tracing, and only the two X-Ray write actions (which take no resource) for it', (n) => {
    const traced = n !== 'console';
    const props = s.template.toJSON().Resources[logicalId(fnOf(n).fn)].Properties;
    expect(props.TracingConfig).toEqual(traced ? { Mode: 'Active' } : undefined);
    const traces = statementsOf(n).filter((st) => actionsOf(st).some((a) => a.startsWith('xray:')));
    expect(traces).toEqual(traced ? [{ Sid: 'WriteTraces', Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' }] : []);
  });

  it('console: its policy only writes its own log group (no table, no table key, no payload or seal key, no KMS at all)', () => {
    expect(TABLE_ACCESS.console).toEqual({});
    expect(statementsOf('console')).toEqual([{
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: getAtt(fnOf('console').logGroup),
    }]);
    const policy = policyOf('console');
    expect(policy).not.toContain('dynamodb:');
    expect(policy).not.toContain('kms:');
    for (const key of [s.stack.keys.table, s.stack.keys.app.payload.key, s.stack.keys.app.seal.key]) expect(policy).not.toContain(logicalId(key));
    for (const def of TABLES) expect(policy).not.toContain(logicalId(s.stack.tables.byId[def.id].table));
  });

  it('sealer: no payload key (it never encrypts or decrypts)', () => {
    expect(policyOf('sealer').includes('PayloadDataKeys')).toBe(false);
    expect(policyOf('licenses').includes('PayloadDataKeys')).toBe(true);
  });

  it.each(API_GROUPS)('%s: GenerateDataKey and Decrypt on the payload key; the table key only via DynamoDB', (n) => {
    s.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [ref(fnOf(n).role)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Resource: getAtt(s.stack.keys.table),
            Condition: { StringEquals: { 'kms:ViaService': Match.anyValue() } },
          }),
          Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: getAtt(s.stack.keys.app.payload.key) }),
        ]),
      },
    });
  });

  it('seal key: only the sealer may kms:Sign, and only on the seal key', () => {
    const signers = allStatements().filter(({ st }) => actionsOf(st).some((a) => a === 'kms:Sign' || a === 'kms:*' || a === 'kms:Sign*'));
    expect(signers.map(({ policy }) => policy)).toEqual([logicalId(fnOf('sealer').policy)]);
    expect(signers[0]!.st).toMatchObject({ Effect: 'Allow', Resource: getAtt(s.stack.keys.app.seal.key) });
    expect([...actionsOf(signers[0]!.st)].sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
  });

  it('seal key: discovery may kms:GetPublicKey on it (JWKS, sealKeyIds); no API group other than discovery touches it', () => {
    const seal = logicalId(s.stack.keys.app.seal.key);
    const discovery = statementsOf('discovery').filter((st) => JSON.stringify(st.Resource).includes(seal));
    expect(discovery).toEqual([{ Sid: 'SealKey', Effect: 'Allow', Action: 'kms:GetPublicKey', Resource: getAtt(s.stack.keys.app.seal.key) }]);
    for (const n of NAMES) expect(policyOf(n).includes(seal), n).toBe(n === 'discovery' || n === 'sealer');
    expect(allStatements().filter(({ st }) => actionsOf(st).includes('kms:GetPublicKey')).map(({ policy }) => policy).sort())
      .toEqual([logicalId(fnOf('discovery').policy), logicalId(fnOf('sealer').policy)].sort());
  });
});

describe('sealer schedule and alerts', { timeout: BUNDLING_TIMEOUT }, () => {
  it('an EventBridge rule invokes the sealer every minute, without EventBridge retries', () => {
    const { rule } = s.stack.sealerSchedule;
    s.template.resourceCountIs('AWS::Events::Rule', 2); // and the psv.overdue scan's (below)
    expect(resources[logicalId(rule)]!.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [{ Arn: getAtt(fnOf('sealer').fn), RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    expect((resources[logicalId(rule)]!.Properties!.Targets as unknown[]).length).toBe(1);
  });

  it('only that rule may invoke the sealer, and the sealer is behind no API route', () => {
    const permissions = Object.values(s.template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: getAtt(fnOf('sealer').fn) } }));
    expect(permissions.map((p) => p.Properties)).toEqual([{
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(fnOf('sealer').fn),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(s.stack.sealerSchedule.rule),
    }]);
    const integrations = JSON.stringify(s.template.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations).not.toContain(logicalId(fnOf('sealer').fn));
  });

  it('alarms on sealer errors and on seal lag (missing lag = not running = alarm), notifying the alert topic', () => {
    const topic = ref(s.stack.alerts.topic);
    const sealer = ref(fnOf('sealer').fn);
    expect(resources[logicalId(s.stack.sealerSchedule.errorsAlarm)]!.Properties).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: sealer }],
      Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
    });
    expect(resources[logicalId(s.stack.sealerSchedule.lagAlarm)]!.Properties).toMatchObject({
      Namespace: 'Corridor', MetricName: 'SealLagSeconds', Dimensions: [{ Name: 'service', Value: 'corridor' }],
      Statistic: 'Maximum', Threshold: 300, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching',
      AlarmActions: [topic], OKActions: [topic],
    });
  });

  it('every function logs JSON with Lambda system lines at WARN (no START/END/REPORT per call), its own lines from INFO; the slow threshold is set', () => {
    for (const n of NAMES) {
      expect(resources[logicalId(fnOf(n).fn)]!.Properties!.LoggingConfig, n).toEqual({ LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO', LogGroup: ref(fnOf(n).logGroup) });
    }
    for (const n of WITH_ENV) expect((resources[logicalId(fnOf(n).fn)]!.Properties!.Environment as { Variables: Record<string, string> }).Variables.CORRIDOR_SLOW_REQUEST_MS, n).toBe('1000');
  });

  it('an hourly rule invokes the psv.overdue scan (no retries), only it may, no route reaches it; three failed hours alarm', () => {
    const { rule, errorsAlarm } = s.stack.overdueSchedule;
    const overdue = fnOf('overdue').fn;
    expect(resources[logicalId(rule)]!.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)', State: 'ENABLED', Targets: [{ Arn: getAtt(overdue), RetryPolicy: { MaximumRetryAttempts: 0 } }],
    });
    const permissions = Object.values(s.template.findResources('AWS::Lambda::Permission', { Properties: { FunctionName: getAtt(overdue) } }));
    expect(permissions.map((p) => p.Properties)).toEqual([{ Action: 'lambda:InvokeFunction', FunctionName: getAtt(overdue), Principal: 'events.amazonaws.com', SourceArn: getAtt(rule) }]);
    expect(JSON.stringify(s.template.findResources('AWS::ApiGatewayV2::Integration'))).not.toContain(logicalId(overdue));
    const topic = ref(s.stack.alerts.topic);
    expect(resources[logicalId(errorsAlarm)]!.Properties).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: ref(overdue) }], Period: 10_800,
      Statistic: 'Sum', Threshold: 3, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topic], OKActions: [topic],
    });
    expect(resources[logicalId(overdue)]!.Properties).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 60 });
  });

  it('the psv.overdue scan reads and writes only documents and audit items, encrypts with the payload key, and touches no registry or seal key', () => {
    expect(TABLE_ACCESS.overdue).toEqual({ audit: { actions: TABLE_ITEM_ACTIONS }, documents: { actions: TABLE_ITEM_ACTIONS } });
    const policy = policyOf('overdue');
    expect(policy).not.toContain(logicalId(s.stack.tables.byId.registry.table));
    expect(policy).not.toContain(logicalId(s.stack.keys.app.seal.key));
    expect(statementsOf('overdue').find((st) => st.Sid === 'PayloadDataKeys')).toEqual(statementsOf('licenses').find((st) => st.Sid === 'PayloadDataKeys'));
    expect(JSON.stringify(statementsOf('overdue').find((st) => st.Sid === 'PayloadDataKeys'))).toContain(logicalId(s.stack.keys.app.payload.key));
  });

  it('the alert topic is encrypted with the alerts key, TLS-only, and publishable by CloudWatch alarms of this account', () => {
    expect(resources[logicalId(s.stack.alerts.topic)]!.Properties).toMatchObject({ KmsMasterKeyId: getAtt(s.stack.keys.alerts) });
    const policy = JSON.stringify(s.template.findResources('AWS::SNS::TopicPolicy'));
    expect(policy).toContain('aws:SecureTransport');
    expect(policy).toContain('cloudwatch.amazonaws.com');
    expect(policy).toContain('aws:SourceAccount');
    s.template.hasOutput('AlertTopicArn', { Value: ref(s.stack.alerts.topic) });
  });
});

describe('HTTP API', { timeout: BUNDLING_TIMEOUT }, () => {
  const integrationTarget = (routeKey: string): string => {
    const [, route] = Object.entries(s.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }))[0] ?? [];
    expect(route, `route ${routeKey}`).toBeDefined();
    const target = JSON.stringify((route!.Properties as { Target: unknown }).Target);
    const integrationId = /"Ref":"([^"]+)"/.exec(target)![1]!;
    return JSON.stringify(resources[integrationId]!.Properties!.IntegrationUri);
  };

  it('routes every ACTION_ROUTES entry as POST to its group, every public path but the console as GET to discovery, the console to its function', () => {
    for (const r of ACTION_ROUTES) expect(integrationTarget(`POST ${r.path}`)).toContain(logicalId(fnOf(r.group).fn));
    const { console: consolePath, ...discoveryRoutes } = PUBLIC_ROUTES;
    expect([...DISCOVERY_PATHS].sort()).toEqual([...Object.values(discoveryRoutes), OPENAPI_PATH].sort());
    for (const p of DISCOVERY_PATHS) expect(integrationTarget(`GET ${p}`)).toContain(logicalId(fnOf('discovery').fn));
    expect(CONSOLE_PATHS).toEqual([consolePath, `${consolePath}/{proxy+}`]);
    expect(CONSOLE_PATHS).toEqual(['/console', '/console/{proxy+}']);
    for (const p of CONSOLE_PATHS) expect(integrationTarget(`GET ${p}`)).toContain(logicalId(fnOf('console').fn));
    // the console function is behind its two routes only
    const consoleRoutes = Object.values(s.template.findResources('AWS::ApiGatewayV2::Route'))
      .map((r) => (r.Properties as { RouteKey: string }).RouteKey)
      .filter((k) => integrationTarget(k).includes(logicalId(fnOf('console').fn)));
    expect(consoleRoutes.sort()).toEqual(['GET /console', 'GET /console/{proxy+}']);
    s.template.resourceCountIs('AWS::ApiGatewayV2::Route', ACTION_ROUTES.length + DISCOVERY_PATHS.length + CONSOLE_PATHS.length);
    s.template.allResourcesProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('throttles the default stage and writes JSON access logs to an encrypted group', () => {
    const stage = s.stack.exchangeApi.stage;
    const props = resources[logicalId(stage)]!.Properties as { AccessLogSettings: { Format: string; DestinationArn: unknown } };
    expect(props).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: DEFAULT_THROTTLE.default.burst, ThrottlingRateLimit: DEFAULT_THROTTLE.default.rate },
    });
    const format = JSON.parse(props.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
    });
    expect(props.AccessLogSettings.DestinationArn).toEqual(getAtt(s.stack.exchangeApi.accessLogs));
    expect(resources[logicalId(s.stack.exchangeApi.accessLogs)]!.Properties).toMatchObject({ KmsKeyId: getAtt(s.stack.keys.logs), RetentionInDays: 365 });
  });

  it('lets only this API invoke the API functions (the scheduled ones only their schedule), and outputs its URL', () => {
    const permissions = Object.values(s.template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties as Record<string, unknown>);
    const scheduled = [logicalId(fnOf('sealer').fn), logicalId(fnOf('overdue').fn)];
    for (const p of permissions) {
      expect(p.SourceArn).toBeDefined();
      expect(p.Principal).toBe(scheduled.some((id) => JSON.stringify(p.FunctionName).includes(id)) ? 'events.amazonaws.com' : 'apigateway.amazonaws.com');
    }
    for (const g of [...API_GROUPS, 'console'] as const) {
      expect(permissions.some((p) => p.Principal === 'apigateway.amazonaws.com' && JSON.stringify(p.FunctionName).includes(logicalId(fnOf(g).fn))), g).toBe(true);
    }
    s.template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });

  it('outputs every handler environment value `corridor bootstrap` needs, named in the description', () => {
    s.template.hasOutput('*', { Description: 'CORRIDOR_EXCHANGE_ID', Value: 'corridor:eu-hub' });
    for (const def of TABLES) s.template.hasOutput('*', { Description: def.envVar, Value: ref(s.stack.tables.byId[def.id].table) });
    for (const def of KMS_KEYS) s.template.hasOutput('*', { Description: def.envVar, Value: getAtt(s.stack.keys.app[def.id].key) });
  });
});
