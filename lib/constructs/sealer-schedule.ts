/**
 * Runs the sealer every minute (EventBridge rule → asynchronous Lambda invoke) and alarms when it fails or falls behind
 * or stops running: until a run succeeds, audit events stay pending, i.e. unsealed.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { APP_METRICS, serviceMetric } from './app-metrics.ts';

/** How often the sealer runs; a seal covers whatever became pending since the previous one. */
export const SEAL_INTERVAL = Duration.minutes(1);
/** Window of the sealer alarms: a few missed or failed runs, not one transient blip of an upstream service. */
export const SEALER_ALARM_PERIOD = Duration.minutes(5);
/** Oldest unsealed event older than this: about five runs that did not seal it. Audit proofs lag by as much. */
export const SEAL_LAG_THRESHOLD = Duration.minutes(5);

export interface SealerScheduleProps {
  readonly fn: lambda.IFunction;
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

  constructor(scope: Construct, id: string, props: SealerScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Corridor sealer: seal every audit event still pending, every minute',
      schedule: events.Schedule.rate(SEAL_INTERVAL),
      // No EventBridge retries either: the next scheduled run does the same work.
      targets: [new targets.LambdaFunction(props.fn, { retryAttempts: 0 })],
    });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'Corridor sealer runs failed: audit events stay pending (unsealed) until a run succeeds. See the sealer log group.',
      metric: props.fn.metricErrors({ period: SEALER_ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.lagAlarm = new cloudwatch.Alarm(this, 'LagAlarm', {
      alarmDescription: 'Corridor audit events are not being sealed: the oldest unsealed event is older than ' +
        `${SEAL_LAG_THRESHOLD.toMinutes()} minutes, or the sealer reported no lag at all (not running). See the sealer log group.`,
      metric: serviceMetric(APP_METRICS.sealLagSeconds, cloudwatch.Stats.MAXIMUM, SEALER_ALARM_PERIOD),
      threshold: SEAL_LAG_THRESHOLD.toSeconds(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // Every run reports its lag (0 when nothing is pending), so no data means no run completed: the events are not
      // being sealed, which is exactly what this alarm is for. Missing is breaching, not "fine".
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    const notify = new cwActions.SnsAction(props.alertTopic);
    for (const alarm of [this.errorsAlarm, this.lagAlarm]) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }
  }
}
