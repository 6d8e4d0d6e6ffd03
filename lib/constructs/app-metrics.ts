/**
 * The application metrics contract (CloudWatch embedded metric format, written by the handlers with Powertools Metrics):
 * what the alarms and the dashboard read. A metric here that the handlers stop emitting shows as missing data, which
 * each alarm treats deliberately (see monitoring.ts and sealer-schedule.ts).
 */
import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { REQUEST_DIMENSIONS, type MetricsDetail } from '../../lambdas/config.ts';

export const APP_NAMESPACE = 'Corridor';
/** The dimension set of the alarm metrics, exactly: CloudWatch matches a metric only on its full dimension set. */
export const SERVICE_DIMENSIONS = { service: 'corridor' } as const;

export const APP_METRICS = {
  /** Count, emitted on every failed audit write (the call is refused: no unaudited action). */
  auditWriteFailures: 'AuditWriteFailures',
  /** Count, emitted on every failed integrity check of stored data (a blob that does not authenticate, a rolled-back balance). */
  integrityFailures: 'IntegrityFailures',
  /** Seconds, emitted by every sealer run: age of the oldest unsealed event, 0 when none. */
  sealLagSeconds: 'SealLagSeconds',
  /** Count per {service, decision}, or {service, action, decision} with corridor:metricsDetail=action. */
  requests: 'Requests',
  /** Milliseconds, dimensioned as `requests`. */
  latencyMs: 'LatencyMs',
  /** Count, {service}: payload data keys served from the handler's cache, or fetched from KMS. */
  dataKeyCacheHits: 'DataKeyCacheHits',
  dataKeyCacheMisses: 'DataKeyCacheMisses',
} as const;

/** An application metric with the `{service}` dimension set. */
export function serviceMetric(metricName: string, statistic: string, period: Duration, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: APP_NAMESPACE,
    metricName,
    dimensionsMap: { ...SERVICE_DIMENSIONS },
    statistic,
    period,
    ...(label ? { label } : {}),
  });
}

/** The dimension names of the request metrics (`Requests`, `LatencyMs`) as the handlers publish them with `detail`. */
export function requestDimensionNames(detail: MetricsDetail): readonly string[] {
  return [...Object.keys(SERVICE_DIMENSIONS), ...REQUEST_DIMENSIONS[detail]];
}

/**
 * A SEARCH over the request metrics in exactly the dimension set published with `detail`: one line per decision, or
 * per action and decision. A SEARCH matches the full schema only, so it never draws a set that is not published.
 */
export function requestSearch(detail: MetricsDetail, metricName: string, statistic: string, period: Duration, filter = ''): cloudwatch.MathExpression {
  const where = `MetricName="${metricName}" service="${SERVICE_DIMENSIONS.service}"${filter ? ` ${filter}` : ''}`;
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${[APP_NAMESPACE, ...requestDimensionNames(detail)].join(',')}} ${where}', '${statistic}', ${period.toSeconds()})`,
    label: '',
    period,
    usingMetrics: {},
  });
}
