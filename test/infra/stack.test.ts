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
import { KMS_KEYS, TABLES } from '../../lib/constructs/definitions.ts';
import { ESM_REQUIRE_BANNER, RUNTIME } from '../../lib/constructs/handler-function.ts';
import { TABLE_ACCESS, TABLE_ITEM_ACTIONS } from '../../lib/constructs/handlers.ts';
import { OPENAPI_PATH, THROTTLE } from '../../lib/constructs/exchange-api.ts';
import { ACTION_ROUTES, PUBLIC_ROUTES, type HandlerGroup } from '../../lambdas/core/routes.ts';
import { synthesize, type Synthesized } from './synth.ts';

const BUNDLING_TIMEOUT = 120_000;
const GROUPS = Object.keys(TABLE_ACCESS) as HandlerGroup[];

interface CfnResourceJson { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DeletionPolicy?: string }

let s: Synthesized;
let resources: Record<string, CfnResourceJson>;
beforeAll(() => {
  s = synthesize();
  resources = (s.template.toJSON() as { Resources: Record<string, CfnResourceJson> }).Resources;
}, BUNDLING_TIMEOUT);

const logicalId = (c: IConstruct): string => s.stack.getLogicalId(c.node.defaultChild as CfnElement);
const getAtt = (c: IConstruct, attr = 'Arn') => ({ 'Fn::GetAtt': [logicalId(c), attr] });
const ref = (c: IConstruct) => ({ Ref: logicalId(c) });
const fnOf = (g: HandlerGroup) => s.stack.handlers.byGroup[g];
const policyOf = (g: HandlerGroup): string => JSON.stringify(resources[logicalId(fnOf(g).policy)]!.Properties!.PolicyDocument);

describe('KMS keys', { timeout: BUNDLING_TIMEOUT }, () => {
  it('builds every KMS_KEYS definition as a rotating key with its spec, usage and alias', () => {
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

  it('has a separate rotating table key and logs key, both retained', () => {
    for (const key of [s.stack.keys.table, s.stack.keys.logs]) {
      expect(resources[logicalId(key)]).toMatchObject({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    }
    expect(logicalId(s.stack.keys.table)).not.toBe(logicalId(s.stack.keys.app.payload.key));
  });

  it('lets CloudWatch Logs use the logs key only for log groups of this account and region', () => {
    const policy = JSON.stringify(resources[logicalId(s.stack.keys.logs)]!.Properties!.KeyPolicy);
    expect(policy).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(policy).toContain('logs.');
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
    expect((props.GlobalSecondaryIndexes as { IndexName: string }[] | undefined)?.map((g) => g.IndexName) ?? []).toEqual(def.globalIndexes.map((g) => g.indexName));
  });

  it('puts every table in the AWS Backup plan', () => {
    const selection = JSON.stringify(s.template.findResources('AWS::Backup::BackupSelection'));
    for (const def of TABLES) expect(selection).toContain(logicalId(s.stack.tables.byId[def.id].table));
    s.template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: getAtt(s.stack.keys.table) });
  });
});

describe('Lambda functions', { timeout: BUNDLING_TIMEOUT }, () => {
  it.each(GROUPS)('%s: arm64, newest Node runtime, 512 MB, 10 s, reserved concurrency', (g) => {
    expect(resources[logicalId(fnOf(g).fn)]!.Properties).toMatchObject({
      Architectures: ['arm64'],
      Runtime: RUNTIME.name,
      MemorySize: 512,
      Timeout: 10,
      Handler: 'index.handler',
      ReservedConcurrentExecutions: expect.any(Number),
    });
    expect(RUNTIME.name).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  });

  it.each(GROUPS)('%s: environment names every table, the payload key, the exchange id and source maps', (g) => {
    const variables: Record<string, unknown> = {
      CORRIDOR_EXCHANGE_ID: 'corridor:eu-hub',
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const def of TABLES) variables[def.envVar] = ref(s.stack.tables.byId[def.id].table);
    for (const def of KMS_KEYS) variables[def.envVar] = getAtt(s.stack.keys.app[def.id].key);
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: `Corridor ${g} handler`,
      Environment: { Variables: variables },
    });
  });

  it.each(GROUPS)('%s: logs to its own KMS-encrypted log group kept for a year', (g) => {
    const { fn, logGroup } = fnOf(g);
    expect(resources[logicalId(fn)]!.Properties!.LoggingConfig).toEqual({ LogGroup: ref(logGroup) });
    expect(resources[logicalId(logGroup)]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365, KmsKeyId: getAtt(s.stack.keys.logs) },
    });
  });
});

describe('bundling (local esbuild, no Docker, offline)', { timeout: BUNDLING_TIMEOUT }, () => {
  // synth.ts synthesized with Docker and the network unusable; here we check what came out.
  const bundleDir = (g: HandlerGroup): string => {
    const assetPath = resources[logicalId(fnOf(g).fn)]!.Metadata!['aws:asset:path'] as string;
    return join(s.assemblyDir, assetPath);
  };

  it.each(GROUPS)('%s: an ESM bundle with the createRequire banner, a source map and the AWS SDK inside', (g) => {
    expect(resources[logicalId(fnOf(g).fn)]!.Metadata!['aws:asset:is-bundled']).toBe(true);
    const dir = bundleDir(g);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    // Only Node built-ins stay outside the bundle: jose, ajv and the AWS SDK are all inside it.
    const specifiers = [...code.matchAll(/\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1] ?? m[2]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((x) => !isBuiltin(x))).toEqual([]);
  });

  it.each(GROUPS)('%s: the bundle loads as an ES module in Node and exports handler', (g) => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-central-1',
      CORRIDOR_EXCHANGE_ID: 'corridor:test',
      // This test runs on the repository's Node, which the SDK may consider old; Lambda runs RUNTIME.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const def of TABLES) env[def.envVar] = `corridor-${def.id}`;
    for (const def of KMS_KEYS) env[def.envVar] = 'arn:aws:kms:eu-central-1:111122223333:key/00000000-0000-0000-0000-000000000000';
    const url = pathToFileURL(join(bundleDir(g), 'index.mjs')).href;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e',
      `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') { console.error('no handler export'); process.exit(3); }`,
    ], { env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
  });
});

describe('least privilege', { timeout: BUNDLING_TIMEOUT }, () => {
  it('has no inline policies and no AWS-managed policies on the handler roles', () => {
    s.template.resourceCountIs('AWS::IAM::Policy', 0);
    for (const g of GROUPS) {
      const role = resources[logicalId(fnOf(g).role)]!.Properties!;
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.Policies).toBeUndefined();
    }
  });

  it.each(GROUPS)('%s: item actions on exactly its tables, nothing with a wildcard', (g) => {
    const doc = resources[logicalId(fnOf(g).policy)]!.Properties!.PolicyDocument as { Statement: { Sid: string; Action: string[]; Resource: unknown }[] };
    const items = doc.Statement.find((st) => st.Sid === 'TableItems')!;
    expect([...items.Action].sort()).toEqual([...TABLE_ITEM_ACTIONS].sort());
    const expected = TABLE_ACCESS[g].map((t) => getAtt(s.stack.tables.byId[t].table));
    expect(Array.isArray(items.Resource) ? items.Resource : [items.Resource]).toEqual(expect.arrayContaining(expected));
    expect(Array.isArray(items.Resource) ? items.Resource.length : 1).toBe(expected.length);
    expect(JSON.stringify(doc)).not.toContain('*');
  });

  it('only licenses may touch documents; discovery touches neither audit nor documents', () => {
    const audit = logicalId(s.stack.tables.byId.audit.table);
    const documents = logicalId(s.stack.tables.byId.documents.table);
    expect(policyOf('discovery')).not.toContain(audit);
    expect(policyOf('discovery')).not.toContain(documents);
    expect(policyOf('agencies')).not.toContain(documents);
    expect(policyOf('agencies')).toContain(audit);
    expect(policyOf('licenses')).toContain(documents);
    expect(policyOf('licenses')).toContain(audit);
  });

  it.each(GROUPS)('%s: GenerateDataKey and Decrypt on the payload key; the table key only via DynamoDB', (g) => {
    s.template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [ref(fnOf(g).role)],
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
});

describe('HTTP API', { timeout: BUNDLING_TIMEOUT }, () => {
  const integrationTarget = (routeKey: string): string => {
    const [, route] = Object.entries(s.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }))[0] ?? [];
    expect(route, `route ${routeKey}`).toBeDefined();
    const target = JSON.stringify((route!.Properties as { Target: unknown }).Target);
    const integrationId = /"Ref":"([^"]+)"/.exec(target)![1]!;
    return JSON.stringify(resources[integrationId]!.Properties!.IntegrationUri);
  };

  it('routes every ACTION_ROUTES entry as POST to its group and every public path as GET to discovery', () => {
    for (const r of ACTION_ROUTES) expect(integrationTarget(`POST ${r.path}`)).toContain(logicalId(fnOf(r.group).fn));
    const gets = [...Object.values(PUBLIC_ROUTES), OPENAPI_PATH];
    for (const p of gets) expect(integrationTarget(`GET ${p}`)).toContain(logicalId(fnOf('discovery').fn));
    s.template.resourceCountIs('AWS::ApiGatewayV2::Route', ACTION_ROUTES.length + gets.length);
    s.template.allResourcesProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('throttles the default stage and writes JSON access logs to an encrypted group', () => {
    const stage = s.stack.exchangeApi.stage;
    const props = resources[logicalId(stage)]!.Properties as { AccessLogSettings: { Format: string; DestinationArn: unknown } };
    expect(props).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: THROTTLE.burstLimit, ThrottlingRateLimit: THROTTLE.rateLimit },
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

  it('lets only this API invoke the functions, and outputs its URL', () => {
    s.template.allResourcesProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
      SourceArn: Match.anyValue(),
    });
    s.template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });

  it('outputs every handler environment value `corridor bootstrap` needs, named in the description', () => {
    s.template.hasOutput('*', { Description: 'CORRIDOR_EXCHANGE_ID', Value: 'corridor:eu-hub' });
    for (const def of TABLES) s.template.hasOutput('*', { Description: def.envVar, Value: ref(s.stack.tables.byId[def.id].table) });
    for (const def of KMS_KEYS) s.template.hasOutput('*', { Description: def.envVar, Value: getAtt(s.stack.keys.app[def.id].key) });
  });
});
