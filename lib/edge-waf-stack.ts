/**
 * The WAFv2 web ACL of the CloudFront edge (context corridor:edge=cloudfront-waf). A web ACL for CloudFront has scope
 * CLOUDFRONT and must live in us-east-1, so it is its own small stack there, whatever region the exchange runs in; the
 * Corridor stack's distribution references it across regions. Its logs stay in us-east-1 too (WAF logs to a log group in
 * the web ACL's region), encrypted with a key of that region.
 */
import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { cloudWatchLogsKey } from './constructs/keys.ts';
import { encryptedLogGroup } from './constructs/logging.ts';

export const WAF_REGION = 'us-east-1';
/** Window of the per-IP rate rule; the limit (corridor:wafRateLimit) counts requests per source IP within it. */
export const WAF_RATE_WINDOW_SECONDS = 300;
/** WAF requires CloudWatch Logs destinations to be named aws-waf-logs-*. */
export const WAF_LOG_GROUP_NAME = 'aws-waf-logs-corridor';
/** CloudWatch metric names of the web ACL and its rate rule (the dimensions of AWS/WAFV2 metrics; the dashboard reads them). */
export const WEB_ACL_METRIC = 'corridor-web-acl';
export const RATE_RULE_METRIC = 'corridor-rate-per-ip';

/**
 * AWS managed rule groups, cheapest first. Bodies are compact JWS of up to 256 KiB (protocol.md §2), so the common rule
 * set's 8 KB body-size rule would block legitimate publishes: it only counts. WCU total ≈ 902, under the 1,500 WCU a web
 * ACL gets without extra request charges.
 */
export const MANAGED_RULE_GROUPS = [
  { name: 'AWSManagedRulesKnownBadInputsRuleSet', countOnly: [] as string[] },
  { name: 'AWSManagedRulesCommonRuleSet', countOnly: ['SizeRestrictions_BODY'] },
] as const;

export interface EdgeWafStackProps extends StackProps {
  /** Requests one source IP may make per WAF_RATE_WINDOW_SECONDS before WAF answers 429 (corridor:wafRateLimit). */
  readonly rateLimit: number;
}

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

export class EdgeWafStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, { description: 'Corridor edge: WAFv2 web ACL (CLOUDFRONT scope) of the exchange distribution', ...props });
    if (!this.region || this.region !== WAF_REGION) throw new Error(`${id} must be deployed to ${WAF_REGION} (CLOUDFRONT web ACLs live there)`);

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Corridor exchange: per-source-IP rate limit and AWS managed rule groups',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(WEB_ACL_METRIC),
      rules: [
        {
          name: 'RateLimitPerSourceIp',
          priority: 0,
          // 429 like the handlers' per-agency limit, so clients back off the same way (this one is unsigned: WAF answers it).
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: {
            rateBasedStatement: { aggregateKeyType: 'IP', limit: props.rateLimit, evaluationWindowSec: WAF_RATE_WINDOW_SECONDS },
          },
          visibilityConfig: visibility(RATE_RULE_METRIC),
        },
        ...MANAGED_RULE_GROUPS.map((g, i) => ({
          name: g.name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: g.name,
              ...(g.countOnly.length > 0 ? { ruleActionOverrides: g.countOnly.map((name) => ({ name, actionToUse: { count: {} } })) } : {}),
            },
          },
          visibilityConfig: visibility(`corridor-${g.name}`),
        })),
      ],
    });

    const key = cloudWatchLogsKey(this, 'WafLogsKey', {
      description: 'Corridor edge logs key: CloudWatch Logs encryption of the WAF logs (us-east-1)',
      alias: 'alias/corridor-waf-logs',
    });
    this.logGroup = encryptedLogGroup(this, 'WafLogs', key, WAF_LOG_GROUP_NAME);
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the ':*' suffix that LogGroup.logGroupArn carries.
      logDestinationConfigs: [this.formatArn({
        service: 'logs', resource: 'log-group', resourceName: WAF_LOG_GROUP_NAME, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
    });
    logging.node.addDependency(this.logGroup);
  }
}
