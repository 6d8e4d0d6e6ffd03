/** One way to make a log group, so every log in the stack has KMS encryption, a year of retention and survives stack deletion. */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Access and function logs are the operational record of who called what; keep them as long as the audit review cycle. */
export const LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** `logGroupName` only where a service insists on a name (WAF: aws-waf-logs-*); otherwise CloudFormation names it. */
export function encryptedLogGroup(scope: Construct, id: string, key: kms.IKey, logGroupName?: string): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    ...(logGroupName ? { logGroupName } : {}),
    encryptionKey: key,
    retention: LOG_RETENTION,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
