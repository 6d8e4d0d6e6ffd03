/**
 * Notifications (protocol.md §10) in AWS: the audit table's stream → the notifier (an event source mapping filtered to
 * outbox inserts) → the delivery queue (SQS, with a redrive dead-letter queue) → the deliverer (an SQS event source
 * mapping). Grants go to each function's own managed policy (no inline policy); alarms to the alert topic.
 *
 * The stream has room for one more reader: DynamoDB Streams serves two concurrent readers per shard, and the
 * notifier's mapping is one. The audit-stream sealer attaches a second mapping to `auditTable.tableStreamArn` with
 * its own filter (`ev-` inserts) and its own on-failure queue, exactly as `streamMapping` below does; a third consumer
 * would have to fan out from one of them (or from Kinesis Data Streams for DynamoDB) instead of reading the stream.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_PREFIX } from '../../lambdas/core/notifications/outbox.ts';
import { DELIVERER_RESERVED_CONCURRENCY } from '../limits.ts';
import { NOTIFY_QUEUE } from '../../lambdas/definitions.ts';
import type { HandlerFunction } from './handler-function.ts';

/** How a stream batch is retried before its records go to the on-failure queue: a day, as long as the stream keeps them. */
export const STREAM_RETRY = { retryAttempts: 10_000, maxRecordAge: Duration.hours(24) } as const;
/** The notifier is behind when the newest record it read is this old: notifications (and their request's change) wait. */
export const ITERATOR_AGE_THRESHOLD = Duration.minutes(5);
/** A delivery message waits at most 15 min (one delay hop) plus seconds: older means the deliverer is not keeping up. */
export const QUEUE_AGE_THRESHOLD = Duration.minutes(30);
const ALARM_PERIOD = Duration.minutes(5);

export interface NotificationsProps {
  readonly auditTable: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly notifier: HandlerFunction;
  readonly deliverer: HandlerFunction;
  readonly alertTopic: sns.ITopic;
}

/**
 * A dead-letter queue: SQS-managed encryption, TLS only, kept 14 days for the operator to inspect and redrive. cdk-nag
 * recognises a queue's redrive target as a dead-letter queue; the stream mapping's on-failure queue it does not (`what`).
 */
export function deadLetterQueue(scope: Construct, id: string, onFailureOf?: string): sqs.Queue {
  const q = new sqs.Queue(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(NOTIFY_QUEUE.dlqRetentionDays) });
  if (onFailureOf) {
    Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: `This queue is the on-failure destination of ${onFailureOf}: the dead-letter queue of that mapping. A dead-letter queue of its own would only move the same failure records again; it has its own alarm.` });
  }
  return q;
}

/** What a reader of the audit table's stream needs (the notifier and the sealer alike), on its managed policy. */
export function grantAuditStreamRead(fn: HandlerFunction, streamArn: string, tableKey: kms.IKey): void {
  fn.grant(
    new iam.PolicyStatement({ sid: 'AuditStreamRead', actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [streamArn] }),
    new iam.PolicyStatement({ sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] }),
    // stream records of a CMK-encrypted table are decrypted for the reader (as CDK's grantStreamRead grants)
    new iam.PolicyStatement({ sid: 'AuditStreamKey', actions: ['kms:Decrypt'], resources: [tableKey.keyArn] }),
  );
  Validations.of(fn.policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'dynamodb:ListStreams supports no resource-level permissions (it lists stream ARNs, no data); the stream itself is read only through AuditStreamRead on the audit table\'s stream ARN. X-Ray writes take no resource either.' });
}

/** The on-failure destination of a stream mapping, granted on the function's managed policy (CDK's SqsDlq would add an inline policy). */
export function onFailureTo(queue: sqs.IQueue, fn: HandlerFunction): lambda.IEventSourceDlq {
  return {
    bind: () => {
      fn.grant(new iam.PolicyStatement({ sid: 'StreamFailuresQueue', actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
      return { destination: queue.queueArn };
    },
  };
}

export class Notifications extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;
  /** Where stream records the notifier could not process in a day go (their metadata: shard and sequence numbers). */
  readonly streamFailures: sqs.Queue;
  readonly streamMapping: lambda.EventSourceMapping;
  readonly queueMapping: lambda.EventSourceMapping;
  readonly alarms: Readonly<Record<'deadLetters' | 'streamFailures' | 'queueAge' | 'iteratorAge' | 'notifierErrors' | 'delivererErrors', cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const { notifier, deliverer, auditTable } = props;
    const streamArn = auditTable.tableStreamArn;
    if (!streamArn) throw new Error('the audit table has no stream (lambdas/definitions.ts: stream)');

    this.deadLetters = deadLetterQueue(this, 'DeadLetters');
    this.streamFailures = deadLetterQueue(this, 'StreamFailures', 'the notifier\'s audit-stream event source mapping');
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, // messages name a record and an attempt, never a notification's content
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(NOTIFY_QUEUE.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: NOTIFY_QUEUE.maxReceiveCount },
    });
    for (const fn of [notifier, deliverer]) fn.fn.addEnvironment(NOTIFY_QUEUE.envVar, this.queue.queueUrl);

    // The notifier: outbox inserts only (the filter is evaluated before invocation: other records cost no invocation).
    grantAuditStreamRead(notifier, streamArn, props.tableKey);
    notifier.grant(new iam.PolicyStatement({ sid: 'DeliveryQueueSend', actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }));
    this.streamMapping = new lambda.EventSourceMapping(this, 'FromAuditStream', {
      target: notifier.fn,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(0),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      ...STREAM_RETRY,
      onFailure: onFailureTo(this.streamFailures, notifier),
      filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT'), dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith(OUTBOX_PREFIX) } } } })],
    });

    // The deliverer: ten messages per invocation, a failed one reported alone.
    deliverer.grant(new iam.PolicyStatement({
      sid: 'DeliveryQueue',
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:SendMessage'],
      resources: [this.queue.queueArn],
    }));
    this.queueMapping = new lambda.EventSourceMapping(this, 'FromDeliveryQueue', {
      target: deliverer.fn,
      eventSourceArn: this.queue.queueArn,
      batchSize: 10,
      reportBatchItemFailures: true,
      maxConcurrency: DELIVERER_RESERVED_CONCURRENCY, // never more pollers than the function may run
    });
    this.queueMapping.node.addDependency(deliverer.policy);
    this.streamMapping.node.addDependency(notifier.policy);

    const notify = new cwActions.SnsAction(props.alertTopic);
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold: number): cloudwatch.Alarm => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description, metric, threshold, evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // each metric is quiet when all is well
      });
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      return a;
    };
    const max = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM };
    const sum = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
    this.alarms = {
      deadLetters: alarm('DeadLettersAlarm', 'Corridor notification deliveries failed five times in the deliverer (store, KMS or queue trouble, not a refusing endpoint) and wait in the dead-letter queue: those notifications are not being delivered. Fix the cause, then redrive the queue (docs/operating.md).', this.deadLetters.metricApproximateNumberOfMessagesVisible(max), 1),
      streamFailures: alarm('StreamFailuresAlarm', 'Corridor audit-stream records the notifier could not process for a day went to the stream failures queue: the notifications of those changes were not produced. See docs/operating.md.', this.streamFailures.metricApproximateNumberOfMessagesVisible(max), 1),
      queueAge: alarm('QueueAgeAlarm', `Corridor notification delivery queue holds a message older than ${QUEUE_AGE_THRESHOLD.toMinutes()} minutes: the deliverer is not keeping up or not running.`, this.queue.metricApproximateAgeOfOldestMessage(max), QUEUE_AGE_THRESHOLD.toSeconds()),
      iteratorAge: alarm('IteratorAgeAlarm', `Corridor notifier is more than ${ITERATOR_AGE_THRESHOLD.toMinutes()} minutes behind the audit stream: notifications are late.`, notifier.fn.metric('IteratorAge', max), ITERATOR_AGE_THRESHOLD.toMilliseconds()),
      notifierErrors: alarm('NotifierErrorsAlarm', 'Corridor notifier invocations failed (crash or timeout; a failed record is retried from the stream). See its log group.', notifier.fn.metricErrors(sum), 1),
      delivererErrors: alarm('DelivererErrorsAlarm', 'Corridor deliverer invocations failed (crash or timeout; the messages come back after the visibility timeout). See its log group.', deliverer.fn.metricErrors(sum), 1),
    };
  }
}
