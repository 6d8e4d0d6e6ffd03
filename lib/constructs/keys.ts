/** KMS keys: the payload key from KMS_KEYS (built from the shared definitions), plus separate keys for table data and for logs. */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KMS_KEYS, type KmsKeyDefinition } from './definitions.ts';
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
        // KMS only rotates symmetric encryption keys; asymmetric definitions must say rotation: false.
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

    this.logs = new kms.Key(this, 'LogsKey', {
      ...KEEP,
      description: 'Corridor logs key: CloudWatch Logs encryption of function and API access logs',
      alias: 'alias/corridor-logs',
      enableKeyRotation: true,
    });
    // CloudWatch Logs encrypts with the key itself, and only for log groups of this account and region.
    this.logs.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
      },
    }));
  }
}
