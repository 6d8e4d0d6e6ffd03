/**
 * KMS keys: the application keys of KMS_KEYS (payload, seal; built from the shared definitions), plus separate keys for
 * table data, for logs and for operator alerts.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KMS_KEYS, type KmsKeyDefinition } from '../../lambdas/definitions.ts';
import { constructId } from './ids.ts';

const KEY_SPECS: Record<KmsKeyDefinition['keySpec'], kms.KeySpec> = {
  SYMMETRIC_DEFAULT: kms.KeySpec.SYMMETRIC_DEFAULT,
  ECC_NIST_P256: kms.KeySpec.ECC_NIST_P256,
};

const KEY_USAGES: Record<KmsKeyDefinition['keyUsage'], kms.KeyUsage> = {
  ENCRYPT_DECRYPT: kms.KeyUsage.ENCRYPT_DECRYPT,
  SIGN_VERIFY: kms.KeyUsage.SIGN_VERIFY,
};

/** Keys are never destroyed with the stack, and a scheduled deletion can still be cancelled for 30 days. */
const KEEP = { removalPolicy: RemovalPolicy.RETAIN, pendingWindow: Duration.days(30) } as const;

export class CorridorKeys extends Construct {
  /** Application keys from KMS_KEYS, by definition id; handlers use them through the KMS API. */
  readonly app: Readonly<Record<KmsKeyDefinition['id'], { readonly key: kms.Key; readonly def: KmsKeyDefinition }>>;
  /** Server-side encryption of the DynamoDB tables and their AWS Backup recovery points. */
  readonly table: kms.Key;
  /** Encryption of the Lambda and API access log groups (used by the CloudWatch Logs service only). */
  readonly logs: kms.Key;
  /** Encryption of the operator alert topic (CloudWatch alarms of this account and region publish to it). */
  readonly alerts: kms.Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    const app = {} as Record<KmsKeyDefinition['id'], { key: kms.Key; def: KmsKeyDefinition }>;
    for (const def of KMS_KEYS) {
      const key = new kms.Key(this, `${constructId(def.id)}Key`, {
        ...KEEP,
        description: `Corridor ${def.id} key: ${def.purpose}`,
        alias: def.alias,
        keySpec: KEY_SPECS[def.keySpec],
        keyUsage: KEY_USAGES[def.keyUsage],
        // KMS only rotates symmetric encryption keys; asymmetric definitions (seal) say rotation: false. A seal key is
        // rotated by creating a new key whose kid is published in the JWKS next to the old one, so old seals stay
        // verifiable. (cdk-nag's rotation rules check symmetric keys only, so there is nothing to acknowledge.)
        enableKeyRotation: def.rotation,
      });
      app[def.id] = { key, def };
    }
    this.app = app;

    this.table = new kms.Key(this, 'TableKey', {
      ...KEEP,
      description: 'Corridor table key: DynamoDB server-side encryption and table backups',
      alias: 'alias/corridor-tables',
      enableKeyRotation: true,
    });

    this.logs = cloudWatchLogsKey(this, 'LogsKey', {
      description: 'Corridor logs key: CloudWatch Logs encryption of function and API access logs',
      alias: 'alias/corridor-logs',
    });

    this.alerts = new kms.Key(this, 'AlertsKey', {
      ...KEEP,
      description: 'Corridor alerts key: SNS encryption of the operator alert topic',
      alias: 'alias/corridor-alerts',
      enableKeyRotation: true,
    });
    // CloudWatch cannot publish an alarm to a CMK-encrypted topic without these; only for alarms of this account and region.
    this.alerts.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
      },
    }));
  }
}

/**
 * A rotating key that CloudWatch Logs may use, only for log groups of its own account and region (the stack's). Used for
 * the function and access logs, and in us-east-1 for the WAF logs (a log group's key must be in the log group's region).
 */
export function cloudWatchLogsKey(scope: Construct, id: string, props: { description: string; alias: string }): kms.Key {
  const key = new kms.Key(scope, id, { ...KEEP, ...props, enableKeyRotation: true });
  // CloudWatch Logs encrypts with the key itself, and only for log groups of this account and region.
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccount',
    principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: {
      ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
    },
  }));
  return key;
}
