/**
 * The CloudFront edge of corridor:edge=cloudfront-waf: a distribution with the us-east-1 web ACL in front of the HTTP
 * API. An HTTP API has no resource policy and its execute-api endpoint can only be disabled behind a custom domain, which
 * would be just as reachable; so CloudFront proves a request passed the web ACL with a secret header, and the API
 * handlers refuse requests without it (the check lives in the handlers; CORRIDOR_ORIGIN_VERIFY_SECRET_ARN turns it on).
 */
import { Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WAF_LOG_GROUP_NAME } from '../edge-waf-stack.ts';
import { ORIGIN_VERIFY_ENV, ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../../lambdas/edge-names.ts';

export { ORIGIN_VERIFY_ENV, ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER };

/**
 * What CloudFront forwards: what the handlers read (content-type, accept), the client's user agent for the access log,
 * and CloudFront-Viewer-Address, the true client address (the API sees CloudFront's). Never Host: API Gateway routes by
 * it. Cookies are never used by the exchange.
 */
export const FORWARDED_HEADERS = ['content-type', 'accept', 'user-agent', VIEWER_ADDRESS_HEADER] as const;

export interface CloudFrontEdgeProps {
  readonly api: apigwv2.IHttpApi;
  /** ARN of the CLOUDFRONT-scope WAFv2 web ACL (EdgeWafStack, us-east-1). */
  readonly webAclArn: string;
  /** Secrets Manager version id of the header value to send (corridor:originVerifyVersion, for rotation); latest when absent. */
  readonly originVerifyVersion?: string;
}

export class CloudFrontEdge extends Construct {
  readonly secret: secretsmanager.Secret;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: CloudFrontEdgeProps) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'OriginVerify', {
      description: `Corridor: value CloudFront sends in ${ORIGIN_VERIFY_HEADER}; API handlers refuse requests without it`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    const ack = 'The value is a shared marker between this account\'s CloudFront distribution and its API handlers, not a ' +
      'credential of a person or partner, and CloudFront keeps it in clear in the distribution configuration (readable with ' +
      'cloudfront:GetDistributionConfig)';
    Validations.of(this.secret).acknowledge(
      {
        id: 'AwsSolutions-SMG4',
        reason: `${ack}. Rotation has to change the distribution too, so it is an operator procedure (docs/deployment.md): ` +
          'put a new value, deploy with corridor:originVerifyVersion set to its version id; the handlers accept AWSCURRENT and ' +
          'AWSPREVIOUS meanwhile. A rotation Lambda would need cloudfront:UpdateDistribution on the exchange\'s front door.',
      },
      {
        id: 'NIST.800.53.R5-SecretsManagerRotationEnabled',
        reason: `${ack}. Rotated by the documented operator procedure (new value, then deploy with corridor:originVerifyVersion).`,
      },
      {
        id: 'NIST.800.53.R5-SecretsManagerUsingKMSKey',
        reason: `${ack}, so a customer-managed key policy could not narrow who can read it; the AWS managed key encrypts it at rest.`,
      },
    );

    const stack = Stack.of(this);
    const headerValue = SecretValue.secretsManager(this.secret.secretArn, props.originVerifyVersion ? { versionId: props.originVerifyVersion } : {});
    const origin = new origins.HttpOrigin(`${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // API handlers answer within 10 s (API_TIMEOUT); CloudFront's default 30 s wait adds nothing but slow failures.
      readTimeout: Duration.seconds(15),
      customHeaders: { [ORIGIN_VERIFY_HEADER]: headerValue.unsafeUnwrap() },
    });
    const originRequests = new cloudfront.OriginRequestPolicy(this, 'OriginRequests', {
      comment: 'Corridor: the headers the exchange reads, the client address, every query string; never Host or cookies',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...FORWARDED_HEADERS),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Corridor exchange edge: WAF (rate per source IP, managed rules) in front of the HTTP API',
      defaultBehavior: {
        origin,
        // Every answer is signed for one request (jti, rqd): nothing may be cached or replayed from a cache.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: originRequests,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // No redirect: a POST redirected to https would be resent without its body by many clients.
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        compress: false,
      },
      webAclId: props.webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Agencies of many countries call the exchange, and which of them may is decided per request by the agency ' +
          'registry (a request signed by a registered key); a country allow-list at the edge would be a second registry to keep ' +
          'in step with it, and an agency\'s egress address need not geolocate to its country.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: `Every viewer request is logged by the web ACL (${WAF_LOG_GROUP_NAME} in us-east-1, KMS-encrypted, kept a year: ` +
          'client address, country, URI, headers, matched rule, action), every request that reaches the API in its access log, ' +
          'and every action call in the audit table; CloudFront standard logs would add an ACL-enabled S3 bucket of the same facts.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The distribution serves the default *.cloudfront.net certificate, for which CloudFront does not allow setting the ' +
          'viewer TLS minimum. Clients are agency systems with current TLS stacks, and every request and answer is itself a signed ' +
          'JWS bound to its body, so a weaker channel cannot alter them undetected. A CloudFront alias with an ACM certificate and ' +
          'TLSv1.2_2021 lifts this (docs/deployment.md).',
      },
    );
  }

  /** Base URL of the exchange through the edge. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}/`;
  }
}
