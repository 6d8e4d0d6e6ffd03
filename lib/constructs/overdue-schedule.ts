/**
 * Runs the psv.overdue scan every hour (EventBridge rule → asynchronous Lambda invoke; protocol.md §5, §10) and alarms
 * when runs fail: until one succeeds, cases past their due date notify nobody. Hourly is well inside the day a due date
 * is counted in, and a run costs a Query and nothing else when no case fell due.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export const OVERDUE_INTERVAL = Duration.hours(1);
/** Three failed runs in one 3-hour window: not one transient blip, and still the same day for a case that fell due at midnight. */
export const OVERDUE_ALARM_PERIOD = Duration.hours(3);

export interface OverdueScheduleProps {
  readonly fn: lambda.IFunction;
  readonly alertTopic: sns.ITopic;
}

export class OverdueSchedule extends Construct {
  readonly rule: events.Rule;
  /**
   * Three runs in OVERDUE_ALARM_PERIOD failed (errors, timeouts). A rule that stopped invoking the function is not caught
   * here (no data is not breaching): that is a deployment change, visible in CloudTrail, not a runtime failure.
   */
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OverdueScheduleProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Corridor psv.overdue: notify post-shipment verifications past their due date with no report, every hour',
      schedule: events.Schedule.rate(OVERDUE_INTERVAL),
      // No EventBridge retries: the next scheduled run does the same work (it resumes after its cursor).
      targets: [new targets.LambdaFunction(props.fn, { retryAttempts: 0 })],
    });
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'Corridor psv.overdue scan: three runs failed within three hours: post-shipment verifications past their due date are not being notified. See the overdue log group.',
      metric: props.fn.metricErrors({ period: OVERDUE_ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }),
      threshold: OVERDUE_ALARM_PERIOD.toHours() / OVERDUE_INTERVAL.toHours(),
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const notify = new cwActions.SnsAction(props.alertTopic);
    this.errorsAlarm.addAlarmAction(notify);
    this.errorsAlarm.addOkAction(notify);
  }
}
