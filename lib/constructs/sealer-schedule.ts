/**
 * The sealer's two triggers (lambdas/core/sealer.ts): the audit table's stream (an event source mapping filtered to
 * audit event inserts: each batch becomes a seal within seconds) and a rule every minute for the completeness check,
 * which seals whatever the stream path had not sealed five minutes after its ts. Alarms when runs fail, when the check
 * falls behind or stops running, when the stream sealer falls behind, and when stream records are given up on.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_PREFIX } from '../../lambdas/handlers/seal-batches.ts';
import { APP_METRICS, serviceMetric } from './app-metrics.ts';
import type { HandlerFunction } from './handler-function.ts';
import { deadLetterQueue, grantAuditStreamRead, onFailureTo, STREAM_RETRY } from './notifications.ts';

/** How often the completeness check runs. */
export const SEAL_INTERVAL = Duration.minutes(1);
/** Events per stream batch (one seal each; MAX_LEAVES is 2,000) and how long the mapping gathers them: seals at least every 10 s. */
export const SEAL_BATCH = { batchSize: 1000, maxBatchingWindow: Duration.seconds(10) } as const;
/** The stream sealer is behind when the newest record it read is this old: proofs wait as long. */
export const SEAL_ITERATOR_AGE_THRESHOLD = Duration.minutes(5);
/** Window of the sealer alarms: a few missed or failed runs, not one transient blip of an upstream service. */
export const SEALER_ALARM_PERIOD = Duration.minutes(5);
/** Oldest unsealed event older than this: about five runs that did not seal it. Audit proofs lag by as much. */
export const SEAL_LAG_THRESHOLD = Duration.minutes(5);

export interface SealerScheduleProps {
  readonly sealer: HandlerFunction;
  readonly auditTable: dynamodb.ITable;
  readonly tableKey: kms.IKey;
  readonly alertTopic: sns.ITopic;
}

export class SealerSchedule extends Construct {
  readonly rule: events.Rule;
  /** Any failed run (error or timeout) in SEALER_ALARM_PERIOD. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /**
   * The oldest unsealed event is older than SEAL_LAG_THRESHOLD, or no run reported its lag in SEALER_ALARM_PERIOD (rule
   * disabled, invocations throttled or dropped, runs dying before they report). Supersedes an alarm on missing
   * invocations: a run that starts but never finishes is caught too.
   */
  readonly lagAlarm: cloudwatch.Alarm;
  readonly streamMapping: lambda.EventSourceMapping;
  /** Where stream records the sealer could not seal for a day go (their metadata); the completeness check seals the events themselves. */
  readonly streamFailures: sqs.Queue;
  readonly iteratorAgeAlarm: cloudwatch.Alarm;
  readonly streamFailuresAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: SealerScheduleProps) {
    super(scope, id);
    const { sealer } = props;
    const fn = sealer.fn;
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Corridor sealer: the completeness check, every minute (seals what the stream path missed, and alarms)',
      schedule: events.Schedule.rate(SEAL_INTERVAL),
      // No EventBridge retries either: the next scheduled run does the same work.
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 0 })],
    });

    const streamArn = props.auditTable.tableStreamArn;
    if (!streamArn) throw new Error('the audit table has no stream (lambdas/definitions.ts: stream)');
    this.streamFailures = deadLetterQueue(this, 'StreamFailures', 'the sealer\'s audit-stream event source mapping');
    grantAuditStreamRead(sealer, streamArn, props.tableKey);
    // Audit event inserts only: seals, the head, markers and outbox items cost no invocation. No bisecting and no
    // partial-batch report: a failed batch comes again whole, from its first record, which is what the batch markers
    // of the stream sealer rely on (lambdas/core/stream-sealer.ts).
    this.streamMapping = new lambda.EventSourceMapping(this, 'FromAuditStream', {
      target: fn,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      ...SEAL_BATCH,
      ...STREAM_RETRY,
      onFailure: onFailureTo(this.streamFailures, sealer),
      filters: [lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT'), dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith(EVENT_PREFIX) } } } })],
    });
    this.streamMapping.node.addDependency(sealer.policy);

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'Corridor sealer invocations failed (a stream batch, retried from the stream, or a completeness check, redone by the next run): events stay unsealed until one succeeds. See the sealer log group.',
      metric: fn.metricErrors({ period: SEALER_ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.lagAlarm = new cloudwatch.Alarm(this, 'LagAlarm', {
      alarmDescription: 'Corridor completeness check is behind: it has not confirmed the events older than its margin for more than ' +
        `${SEAL_LAG_THRESHOLD.toMinutes()} minutes, or it reported no lag at all (not running). See the sealer log group.`,
      metric: serviceMetric(APP_METRICS.sealLagSeconds, cloudwatch.Stats.MAXIMUM, SEALER_ALARM_PERIOD),
      threshold: SEAL_LAG_THRESHOLD.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Every run reports its lag (0 when nothing is pending), so no data means no run completed: the events are not
      // being sealed, which is exactly what this alarm is for. Missing is breaching, not "fine".
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const max = { period: SEALER_ALARM_PERIOD, statistic: cloudwatch.Stats.MAXIMUM };
    this.iteratorAgeAlarm = new cloudwatch.Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription: `Corridor stream sealer is more than ${SEAL_ITERATOR_AGE_THRESHOLD.toMinutes()} minutes behind the audit stream: events are sealed late (the completeness check seals them and alarms).`,
      metric: fn.metric('IteratorAge', max),
      threshold: SEAL_ITERATOR_AGE_THRESHOLD.toMilliseconds(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, // no records read: nothing written, nothing behind
    });
    this.streamFailuresAlarm = new cloudwatch.Alarm(this, 'StreamFailuresAlarm', {
      alarmDescription: 'Corridor audit-stream records the sealer could not seal for a day went to its stream failures queue; the completeness check seals those events (and alarms IntegrityFailures). See docs/operating.md.',
      metric: this.streamFailures.metricApproximateNumberOfMessagesVisible(max),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new cwActions.SnsAction(props.alertTopic);
    for (const alarm of [this.errorsAlarm, this.lagAlarm, this.iteratorAgeAlarm, this.streamFailuresAlarm]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }
}
