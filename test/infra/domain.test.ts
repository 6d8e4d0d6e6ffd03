/** Optional custom domain with mutual TLS (corridor:domainName, corridor:certificateArn, corridor:mtlsTruststoreUri). */
import { describe, it, expect } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { readSettings } from '../../lib/settings.ts';
import { reportedNagFindings, unusedAcknowledgements } from './nag-helpers.ts';
import { synthesizeVariant } from './synth.ts';

const CERT = 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-000000000000';
const DOMAIN = {
  'corridor:domainName': 'exchange.corridor.example',
  'corridor:certificateArn': CERT,
  'corridor:mtlsTruststoreUri': 's3://corridor-truststore/partners/ca-bundle.pem',
} as const;

const settings = (context: Record<string, unknown>) => () => readSettings(new App({ context }));

describe('custom domain with mutual TLS', () => {
  it('creates a regional TLS 1.2 domain whose clients must present a certificate from the S3 truststore', () => {
    const t = synthesizeVariant(DOMAIN).templates[0]!.template;
    t.resourceCountIs('AWS::ApiGatewayV2::DomainName', 1);
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: DOMAIN['corridor:domainName'],
      DomainNameConfigurations: [{ CertificateArn: CERT, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }],
      MutualTlsAuthentication: { TruststoreUri: DOMAIN['corridor:mtlsTruststoreUri'], TruststoreVersion: Match.absent() },
    });
  });

  it('pins the truststore object version when corridor:mtlsTruststoreVersion is given', () => {
    const t = synthesizeVariant({ ...DOMAIN, 'corridor:mtlsTruststoreVersion': '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' }).templates[0]!.template;
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      MutualTlsAuthentication: { TruststoreUri: DOMAIN['corridor:mtlsTruststoreUri'], TruststoreVersion: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' },
    });
  });

  it('adds the ownership certificate (needed for an imported or private-CA certificate) when given', () => {
    const ownership = 'arn:aws:acm:eu-central-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
    const t = synthesizeVariant({ ...DOMAIN, 'corridor:ownershipCertificateArn': ownership }).templates[0]!.template;
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERT, OwnershipVerificationCertificateArn: ownership })],
    });
    expect(settings({ ...DOMAIN, 'corridor:ownershipCertificateArn': 'not-an-arn' })).toThrow(/ownershipCertificateArn must be an ACM/);
  });

  it('maps the $default stage at the root and disables the execute-api endpoint, so mTLS cannot be bypassed', () => {
    const v = synthesizeVariant(DOMAIN);
    const t = v.templates[0]!.template;
    t.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { Stage: '$default', ApiMappingKey: Match.absent() });
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    const outputs = t.toJSON().Outputs as Record<string, { Value: unknown; Description: string }>;
    expect(JSON.stringify(outputs.ApiUrl!.Value)).toContain('https://');
    expect(outputs.DomainTarget!.Description).toContain(DOMAIN['corridor:domainName']);
  });

  it('without a domain: no domain name, no mapping, the execute-api endpoint stays on', () => {
    const t = synthesizeVariant().templates[0]!.template;
    t.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    t.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
  });

  it('cdk-nag: nothing unacknowledged, no acknowledgement unused', () => {
    const v = synthesizeVariant(DOMAIN);
    expect(reportedNagFindings(v.report)).toEqual([]);
    expect(unusedAcknowledgements(v.app).map((a) => `${a.id} at ${a.path}`)).toEqual([]);
  });
});

describe('custom domain settings are all or none, and checked', () => {
  it.each([
    ['corridor:domainName'],
    ['corridor:certificateArn'],
    ['corridor:mtlsTruststoreUri'],
  ] as const)('refuses a domain without %s', (missing) => {
    const { [missing]: _dropped, ...rest } = DOMAIN;
    expect(settings(rest)).toThrow(/go together \(all or none\)/);
  });

  it('refuses a truststore that is not an s3:// URI, and a certificate that is not an ACM ARN', () => {
    expect(settings({ ...DOMAIN, 'corridor:mtlsTruststoreUri': 'https://example.com/ca.pem' })).toThrow(/must be s3:\/\/bucket\/key/);
    expect(settings({ ...DOMAIN, 'corridor:mtlsTruststoreUri': 's3://bucket-only' })).toThrow(/must be s3:\/\/bucket\/key/);
    expect(settings({ ...DOMAIN, 'corridor:certificateArn': 'arn:aws:iam::123456789012:server-certificate/x' })).toThrow(/ACM certificate ARN/);
  });

  it('refuses mutual TLS together with the CloudFront edge (CloudFront would terminate the client certificate)', () => {
    expect(settings({ ...DOMAIN, 'corridor:edge': 'cloudfront-waf' })).toThrow(/cannot be combined/);
  });

  it('refuses an unknown edge mode and a WAF rate limit below the WAF minimum', () => {
    expect(settings({ 'corridor:edge': 'alb' })).toThrow(/corridor:edge must be one of http-api, cloudfront-waf/);
    expect(settings({ 'corridor:wafRateLimit': 5 })).toThrow(/at least 10/);
  });
});
