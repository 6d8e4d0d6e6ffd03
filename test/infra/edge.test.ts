/** corridor:edge=cloudfront-waf: the us-east-1 web ACL stack, the distribution in front of the API and the origin-verify secret. */
import { beforeAll, describe, it, expect } from 'vitest';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { FORWARDED_HEADERS, ORIGIN_VERIFY_ENV, ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../../lib/constructs/cloudfront-edge.ts';
import { API_GROUPS } from '../../lib/constructs/handlers.ts';
import { createCorridorApp } from '../../lib/corridor-app.ts';
import { EdgeWafStack, MANAGED_RULE_GROUPS, WAF_LOG_GROUP_NAME, WAF_RATE_WINDOW_SECONDS } from '../../lib/edge-waf-stack.ts';
import { DEFAULT_WAF_RATE_LIMIT } from '../../lib/settings.ts';
import { acknowledgements, reportedNagFindings, unusedAcknowledgements } from './nag-helpers.ts';
import { synthesizeVariant, VARIANT_ENV, type Variant } from './synth.ts';

const EDGE = { 'corridor:edge': 'cloudfront-waf' } as const;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

let v: Variant;
let main: Json;
let waf: Json;
beforeAll(() => {
  v = synthesizeVariant(EDGE);
  main = v.templates[0]!.template.toJSON() as Json;
  waf = v.templates[1]!.template.toJSON() as Json;
});

const logicalId = (c: IConstruct): string => v.stack.getLogicalId(c.node.defaultChild as CfnElement);
const ofType = (t: Json, type: string): [string, Json][] => Object.entries(t.Resources as Json).filter(([, r]) => r.Type === type);

describe('edge: web ACL stack', () => {
  it('refuses any region but us-east-1 for the web ACL, and an edge without a region for the exchange', () => {
    expect(() => new EdgeWafStack(new App(), 'Waf', { env: { region: 'eu-west-1' }, rateLimit: 100 })).toThrow(/must be deployed to us-east-1/);
    expect(() => createCorridorApp({ context: { ...EDGE } }, { env: {} })).toThrow(/needs a region/);
  });

  it('is its own stack in us-east-1, with a CLOUDFRONT-scope web ACL', () => {
    expect(v.wafStack!.region).toBe('us-east-1');
    expect(v.stack.region).toBe(VARIANT_ENV.region);
    const [[, acl]] = ofType(waf, 'AWS::WAFv2::WebACL') as [[string, Json]];
    expect(acl.Properties).toMatchObject({ Scope: 'CLOUDFRONT', DefaultAction: { Allow: {} } });
  });

  it('blocks a source IP over corridor:wafRateLimit per 5 minutes with 429, first', () => {
    const [[, acl]] = ofType(waf, 'AWS::WAFv2::WebACL') as [[string, Json]];
    const rate = (acl.Properties.Rules as Json[]).find((r) => r.Statement.RateBasedStatement);
    expect(rate).toMatchObject({
      Priority: 0,
      Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: DEFAULT_WAF_RATE_LIMIT, EvaluationWindowSec: WAF_RATE_WINDOW_SECONDS } },
    });
    const tuned = synthesizeVariant({ ...EDGE, 'corridor:wafRateLimit': '500' }).templates[1]!.template;
    tuned.hasResourceProperties('AWS::WAFv2::WebACL', { Rules: Match.arrayWith([Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 500 }) } })]) });
  });

  it('runs the known-bad-inputs and common AWS managed rule groups, the body-size rule only counting (bodies up to 256 KiB)', () => {
    const [[, acl]] = ofType(waf, 'AWS::WAFv2::WebACL') as [[string, Json]];
    const managed = (acl.Properties.Rules as Json[]).filter((r) => r.Statement.ManagedRuleGroupStatement);
    expect(managed.map((r) => r.Statement.ManagedRuleGroupStatement.Name)).toEqual(MANAGED_RULE_GROUPS.map((g) => g.name));
    for (const r of managed) expect(r).toMatchObject({ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS' } } });
    const common = managed.find((r) => r.Name === 'AWSManagedRulesCommonRuleSet')!;
    expect(common.Statement.ManagedRuleGroupStatement.RuleActionOverrides).toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
  });

  it('logs to an aws-waf-logs-* group in us-east-1, encrypted with a key of that region, kept a year', () => {
    const [[groupId, group]] = ofType(waf, 'AWS::Logs::LogGroup') as [[string, Json]];
    expect(group.Properties).toMatchObject({ LogGroupName: WAF_LOG_GROUP_NAME, RetentionInDays: 365 });
    const [[keyId]] = ofType(waf, 'AWS::KMS::Key') as [[string, Json]];
    expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const [[, logging]] = ofType(waf, 'AWS::WAFv2::LoggingConfiguration') as [[string, Json]];
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).toContain(`:log-group:${WAF_LOG_GROUP_NAME}"`);
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).not.toContain(':*');
    expect(logging.DependsOn).toContain(groupId);
  });
});

describe('edge: distribution', () => {
  const distribution = (): Json => main.Resources[logicalId(v.stack.edge!.distribution)].Properties.DistributionConfig;

  it('uses the web ACL of the us-east-1 stack, read across regions', () => {
    expect(distribution().WebACLId).toEqual({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'CorridorEdgeWaf', Region: 'us-east-1' }) });
    expect(v.stack.dependencies).toContain(v.wafStack);
  });

  it('forwards over HTTPS (TLS 1.2) to the execute-api endpoint, adding the origin-verify secret header', () => {
    const [origin] = distribution().Origins as Json[];
    expect(JSON.stringify(origin.DomainName)).toContain(`.execute-api.${VARIANT_ENV.region}.`);
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    const secret = logicalId(v.stack.edge!.secret);
    expect(origin.OriginCustomHeaders).toEqual([{
      HeaderName: ORIGIN_VERIFY_HEADER,
      HeaderValue: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secret }, ':SecretString:::}}']] },
    }]);
  });

  it('pins the header to a secret version with corridor:originVerifyVersion (rotation)', () => {
    const rotated = synthesizeVariant({ ...EDGE, 'corridor:originVerifyVersion': 'a1b2c3' });
    const json = JSON.stringify(rotated.templates[0]!.template.findResources('AWS::CloudFront::Distribution'));
    expect(json).toContain(':SecretString:::a1b2c3}}');
  });

  it('caches nothing, allows every method, HTTPS only without redirects, forwards no Host and no cookies', () => {
    const behavior = distribution().DefaultCacheBehavior as Json;
    expect(behavior).toMatchObject({ CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', ViewerProtocolPolicy: 'https-only' });
    expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST']));
    const [[, policy]] = ofType(main, 'AWS::CloudFront::OriginRequestPolicy') as [[string, Json]];
    const config = policy.Properties.OriginRequestPolicyConfig;
    expect(config.HeadersConfig).toEqual({ HeaderBehavior: 'whitelist', Headers: [...FORWARDED_HEADERS] });
    expect(config.HeadersConfig.Headers).not.toContain('host');
    // the handlers take the audit event's sourceIp from it once the origin-verify header matched
    expect(config.HeadersConfig.Headers).toContain(VIEWER_ADDRESS_HEADER);
    expect(config.CookiesConfig).toEqual({ CookieBehavior: 'none' });
  });

  it('makes the distribution the exchange URL, and outputs the secret to rotate', () => {
    expect(JSON.stringify(main.Outputs.ApiUrl.Value)).toContain(logicalId(v.stack.edge!.distribution));
    expect(main.Outputs.OriginVerifySecretArn.Value).toEqual({ Ref: logicalId(v.stack.edge!.secret) });
  });
});

describe('edge: origin verification', () => {
  it('gives every API group the secret ARN and GetSecretValue on that secret only; the console neither', () => {
    const secretRef = { Ref: logicalId(v.stack.edge!.secret) };
    for (const g of API_GROUPS) {
      const h = v.stack.handlers.byName[g];
      expect(main.Resources[logicalId(h.fn)].Properties.Environment.Variables[ORIGIN_VERIFY_ENV], g).toEqual(secretRef);
      const statements = main.Resources[logicalId(h.policy)].Properties.PolicyDocument.Statement as Json[];
      expect(statements.filter((st) => JSON.stringify(st.Action).includes('secretsmanager:'))).toEqual([
        { Sid: 'OriginVerifySecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretRef },
      ]);
    }
    const consoleFn = main.Resources[logicalId(v.stack.handlers.console.fn)].Properties;
    expect(consoleFn.Environment).toBeUndefined();
    for (const name of ['console', 'sealer'] as const) {
      expect(JSON.stringify(main.Resources[logicalId(v.stack.handlers.byName[name].policy)].Properties.PolicyDocument), name).not.toContain('secretsmanager:');
    }
  });

  it('encrypts the secret with the AWS managed key, so GetSecretValue needs no kms:Decrypt grant (no CMK to grant)', () => {
    const secret = main.Resources[logicalId(v.stack.edge!.secret)];
    expect(secret.Type).toBe('AWS::SecretsManager::Secret');
    expect(secret.Properties.KmsKeyId).toBeUndefined();
  });

  it('without the edge there is no distribution, web ACL stack, secret or origin-verify variable', () => {
    const plain = synthesizeVariant();
    expect(plain.wafStack).toBeUndefined();
    const t = plain.templates[0]!.template;
    t.resourceCountIs('AWS::CloudFront::Distribution', 0);
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(t.toJSON())).not.toContain(ORIGIN_VERIFY_ENV);
    expect(JSON.stringify(t.findResources('AWS::IAM::ManagedPolicy'))).not.toContain('secretsmanager:');
  });
});

describe('edge: cdk-nag', () => {
  it('reports nothing unacknowledged in either stack, and every acknowledgement is still needed', () => {
    expect(reportedNagFindings(v.report)).toEqual([]);
    expect(unusedAcknowledgements(v.app).map((a) => `${a.id} at ${a.path}`)).toEqual([]);
  });

  it('acknowledges only on specific resources, with reasons a reviewer can check', () => {
    for (const a of acknowledgements(v.app)) {
      expect(a.path.split('/').length, `${a.id} at ${a.path}`).toBeGreaterThan(2);
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(100);
    }
    const secret = acknowledgements(v.app).filter((a) => a.path === v.stack.edge!.secret.node.path).map((a) => a.id).sort();
    expect(secret).toEqual(['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'NIST.800.53.R5-SecretsManagerUsingKMSKey']);
  });

  it('acknowledges the distribution\'s geo, logging and viewer-TLS findings with their reasons', () => {
    const acks = acknowledgements(v.app).filter((a) => a.path === v.stack.edge!.distribution.node.path);
    expect(Object.fromEntries(acks.map((a) => [a.id, a.reason]))).toMatchObject({
      'AwsSolutions-CFR1': expect.stringMatching(/agency registry/),
      'AwsSolutions-CFR3': expect.stringMatching(new RegExp(`${WAF_LOG_GROUP_NAME}.*access log.*audit table`)),
      'AwsSolutions-CFR4': expect.stringMatching(/default \*\.cloudfront\.net certificate.*signed JWS/),
    });
  });
});
