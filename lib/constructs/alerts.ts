/** The operator alert topic: KMS-encrypted, TLS-only, published to only by CloudWatch alarms of this account and region. */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  /** Customer-managed key whose policy lets CloudWatch alarms use it (CorridorKeys.alerts). */
  readonly encryptionKey: kms.IKey;
}

export class AlertTopic extends Construct {
  /** Operators subscribe to this topic (output AlertTopicArn); the stack creates no subscription. */
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Corridor alerts',
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    // The topic has a resource policy (enforceSSL), so the CloudWatch service principal is allowed explicitly.
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
      },
    }));
  }
}
