/**
 * Operator alarms to the alert topic: API 5xx, unhandled function errors and throttles, failed audit writes, DynamoDB
 * throttling and system errors. The sealer's own alarms (errors, seal lag) live with its schedule (sealer-schedule.ts).
 * KMS publishes no per-key throttle metric; KMS throttling reaches the operator as 503 answers (Api5xx) and in the logs.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { APP_METRICS, serviceMetric } from './app-metrics.ts';
import type { HandlerFunction, HandlerName } from './handler-function.ts';
import { constructId } from './ids.ts';
import type { CorridorTables, TableId } from './tables.ts';

/** Every alarm looks at 5-minute sums: long enough to ride out a single blip, short enough to page within minutes. */
export const ALARM_PERIOD = Duration.minutes(5);
/**
 * 5xx answers tolerated per ALARM_PERIOD. The protocol answers a transient DynamoDB or KMS failure with 503 (the agency
 * retries with a new jti), so a few are normal; more than that is an outage or a bug.
 */
export const API_5XX_THRESHOLD = 5;
/**
 * The item operations the store issues (TABLE_ITEM_ACTIONS; TransactWriteItems authorizes as Put/Delete/ConditionCheck;
 * BatchGetItem is the sealer's read of seal records and of events the completeness check found unsealed). DynamoDB
 * reports SystemErrors per operation only.
 */
export const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
  dynamodb.Operation.BATCH_GET_ITEM,
] as const;

/**
 * Throttling is watched through the per-table ReadThrottleEvents and WriteThrottleEvents (and WriteThrottleEvents of
 * each global index, whose throttling throttles the table's writes) rather than ThrottledRequests per operation: they
 * count every throttled item — a BatchWriteItem that is only partly throttled raises no ThrottledRequests — and an
 * alarm is billed per metric it reads (2 per table plus 1 per index, instead of one per operation).
 */
function throttleEvents(table: dynamodb.ITable, indexNames: readonly string[]): cloudwatch.IMetric {
  const sum = { period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM };
  const usingMetrics: Record<string, cloudwatch.IMetric> = {
    reads: table.metric('ReadThrottleEvents', sum),
    writes: table.metric('WriteThrottleEvents', sum),
  };
  indexNames.forEach((indexName, i) => {
    usingMetrics[`index${i}`] = table.metric('WriteThrottleEvents', { ...sum, dimensionsMap: { TableName: table.tableName, GlobalSecondaryIndexName: indexName } });
  });
  return new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period: ALARM_PERIOD, label: 'throttle events' });
}

export interface MonitoringProps {
  readonly api: apigwv2.IHttpApi;
  /** The functions the HTTP API invokes (API groups and console); the sealer is watched by its schedule's alarms. */
  readonly httpFunctions: Readonly<Partial<Record<HandlerName, HandlerFunction>>>;
  readonly tables: CorridorTables;
  readonly alertTopic: sns.ITopic;
}

export class Monitoring extends Construct {
  readonly api5xx: cloudwatch.Alarm;
  readonly auditWriteFailures: cloudwatch.Alarm;
  readonly integrityFailures: cloudwatch.Alarm;
  readonly functionErrors: Readonly<Partial<Record<HandlerName, cloudwatch.Alarm>>>;
  readonly functionThrottles: Readonly<Partial<Record<HandlerName, cloudwatch.Alarm>>>;
  readonly tableThrottles: Readonly<Record<TableId, cloudwatch.Alarm>>;
  readonly tableSystemErrors: Readonly<Record<TableId, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const notify = new cwActions.SnsAction(props.alertTopic);
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold: number, missing: cloudwatch.TreatMissingData) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing,
      });
      a.addAlarmAction(notify);
      a.addOkAction(notify);
      return a;
    };
    // Each metric below is only published when something happened (a 5xx, an error, a throttle, a failed write):
    // missing data is the healthy state, so it must not breach.
    const quiet = cloudwatch.TreatMissingData.NOT_BREACHING;

    this.api5xx = alarm('Api5xx',
      `Corridor HTTP API answered ${API_5XX_THRESHOLD}+ 5xx in ${ALARM_PERIOD.toMinutes()} minutes (503s from DynamoDB/KMS failures, ` +
      'or integration errors). See the access log group and the function log groups.',
      props.api.metricServerError({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }), API_5XX_THRESHOLD, quiet);

    this.auditWriteFailures = alarm('AuditWriteFailures',
      'Corridor could not write audit events: those calls were refused (no unaudited action), so agencies see failures. ' +
      'Check the audit table (throttling, KMS key state) and the function logs.',
      serviceMetric(APP_METRICS.auditWriteFailures, cloudwatch.Stats.SUM, ALARM_PERIOD), 1, quiet);

    this.integrityFailures = alarm('IntegrityFailures',
      'Corridor found stored data that fails an integrity check: a blob that does not authenticate for its record, or a ' +
      'license balance older than its drawdown records (rolled back). Those calls answered 503. Or the sealer sealed an ' +
      'audit event older than the late bound (backdated, counted in the seal). Someone with write access ' +
      'to the tables changed them: treat as an incident (docs/operating.md), see the function logs for the record.',
      serviceMetric(APP_METRICS.integrityFailures, cloudwatch.Stats.SUM, ALARM_PERIOD), 1, quiet);

    const errors: Partial<Record<HandlerName, cloudwatch.Alarm>> = {};
    const throttles: Partial<Record<HandlerName, cloudwatch.Alarm>> = {};
    for (const [name, h] of Object.entries(props.httpFunctions) as [HandlerName, HandlerFunction][]) {
      // Handlers turn every expected failure into a problem answer, so an invocation error is a crash or a timeout.
      errors[name] = alarm(`${constructId(name)}Errors`,
        `Corridor ${name} function failed invocations (unhandled error or timeout). See its log group.`,
        h.fn.metricErrors({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }), 1, quiet);
      throttles[name] = alarm(`${constructId(name)}Throttles`,
        `Corridor ${name} function hit its reserved concurrency: callers got errors from API Gateway. ` +
        'If this is real demand, raise corridor:reservedConcurrency for it (docs/deployment.md).',
        h.fn.metricThrottles({ period: ALARM_PERIOD, statistic: cloudwatch.Stats.SUM }), 1, quiet);
    }
    this.functionErrors = errors;
    this.functionThrottles = throttles;

    const tableThrottles = {} as Record<TableId, cloudwatch.Alarm>;
    const tableErrors = {} as Record<TableId, cloudwatch.Alarm>;
    for (const { def, table } of props.tables.all) {
      const operations = [...TABLE_OPERATIONS];
      tableThrottles[def.id] = alarm(`${constructId(def.id)}TableThrottles`,
        `Corridor ${def.id} table throttled reads or writes (on-demand limits or a hot partition); callers got 503s or the sealer retried.`,
        throttleEvents(table, def.globalIndexes.map((g) => g.indexName)), 1, quiet);
      tableErrors[def.id] = alarm(`${constructId(def.id)}TableSystemErrors`,
        `Corridor ${def.id} table returned DynamoDB system errors (HTTP 500 from DynamoDB); callers got 503s.`,
        table.metricSystemErrorsForOperations({ operations, period: ALARM_PERIOD }), 1, quiet);
    }
    this.tableThrottles = tableThrottles;
    this.tableSystemErrors = tableErrors;
  }
}
