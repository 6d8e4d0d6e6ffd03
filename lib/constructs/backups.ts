/** AWS Backup plan for the tables: PITR covers 35 days, the vault keeps daily and monthly recovery points for a year. */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface TableBackupsProps {
  readonly tables: readonly dynamodb.ITable[];
  /** Key for the vault's recovery points (the table key: backups hold the same data). */
  readonly encryptionKey: kms.IKey;
}

export class TableBackups extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: TableBackupsProps) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      // Recovery points of the audit trail must outlive mistakes: nobody deletes them before they expire.
      blockRecoveryPointDeletion: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = backup.BackupPlan.dailyMonthly1YearRetention(this, 'Plan', this.vault);
    const selection = this.plan.addSelection('Tables', {
      resources: props.tables.map((t) => backup.BackupResource.fromDynamoDbTable(t)),
      allowRestores: false,
    });

    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'The backup selection role is assumable only by backup.amazonaws.com and uses the AWS-maintained service policy for ' +
        'AWS Backup, which AWS keeps in step with the DynamoDB backup APIs; it grants no access to table items or to the payload key.',
    });
  }
}
