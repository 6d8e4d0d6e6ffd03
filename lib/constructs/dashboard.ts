/**
 * The operator dashboard: what the exchange is asked and answers (per decision, or per action and decision with
 * corridor:metricsDetail=action; latency), the HTTP API's errors, the audit trail's health (failed writes, seal lag),
 * data-key caching, the functions and the tables. Request graphs use SEARCH, so a new action shows up without a change here.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { MetricsDetail } from '../../lambdas/config.ts';
import { APP_METRICS, requestSearch, serviceMetric } from './app-metrics.ts';
import type { HandlerFunction, HandlerName } from './handler-function.ts';
import { SEAL_LAG_THRESHOLD } from './sealer-schedule.ts';
import type { CorridorTables } from './tables.ts';

export const DASHBOARD_PERIOD = Duration.minutes(5);

export interface CorridorDashboardProps {
  readonly api: apigwv2.IHttpApi;
  readonly functions: Readonly<Record<HandlerName, HandlerFunction>>;
  readonly tables: CorridorTables;
  /** How the request metrics are dimensioned (corridor:metricsDetail): the request graphs read exactly that set. */
  readonly metricsDetail: MetricsDetail;
  /** The web ACL (cloudfront-waf edge): its metric names and region, for the WAF graph. */
  readonly waf?: { readonly webAclMetric: string; readonly rateRuleMetric: string; readonly region: string };
}

export class CorridorDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CorridorDashboardProps) {
    super(scope, id);
    const period = DASHBOARD_PERIOD;
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, period, ...extra });
    const fns = Object.entries(props.functions) as [HandlerName, HandlerFunction][];
    const perFunction = (f: (h: HandlerFunction, label: string) => cloudwatch.IMetric, what: string) =>
      fns.map(([name, h]) => f(h, `${name} ${what}`));

    // Per action only with corridor:metricsDetail=action; by default the action is in the EMF documents and log lines
    // (Logs Insights: `stats count(*) by action, decision`), not a metric dimension.
    const byAction = props.metricsDetail === 'action';
    const per = byAction ? 'action' : 'decision';
    const search = (metricName: string, statistic: string, filter = '') => requestSearch(props.metricsDetail, metricName, statistic, period, filter);

    const hits = serviceMetric(APP_METRICS.dataKeyCacheHits, cloudwatch.Stats.SUM, period);
    const misses = serviceMetric(APP_METRICS.dataKeyCacheMisses, cloudwatch.Stats.SUM, period);

    const widgets: cloudwatch.IWidget[][] = [
      [
        graph(byAction ? 'Requests per action and decision' : 'Requests per decision', [search(APP_METRICS.requests, 'Sum')]),
        graph(`Denials${byAction ? ' per action' : ''}`, [search(APP_METRICS.requests, 'Sum', 'decision="deny"')]),
      ],
      [
        graph(`Latency p50 per ${per} (ms)`, [search(APP_METRICS.latencyMs, 'p50')]),
        graph(`Latency p99 per ${per} (ms)`, [search(APP_METRICS.latencyMs, 'p99')]),
      ],
      [
        graph('HTTP API answers', [
          props.api.metricCount({ period, statistic: cloudwatch.Stats.SUM, label: 'requests' }),
          props.api.metricClientError({ period, label: '4xx' }),
          props.api.metricServerError({ period, label: '5xx' }),
        ]),
        graph('Audit trail: failed writes and seal lag', [
          serviceMetric(APP_METRICS.auditWriteFailures, cloudwatch.Stats.SUM, period, 'failed audit writes'),
        ], {
          right: [serviceMetric(APP_METRICS.sealLagSeconds, cloudwatch.Stats.MAXIMUM, period, 'seal lag (s), oldest unsealed event')],
          rightAnnotations: [{ value: SEAL_LAG_THRESHOLD.toSeconds(), label: 'seal lag alarm' }],
        }),
      ],
      [
        graph('Data-key cache hit rate (%)', [new cloudwatch.MathExpression({
          expression: '100 * hits / (hits + misses)', usingMetrics: { hits, misses }, label: 'hit rate', period,
        })], { leftYAxis: { min: 0, max: 100 } }),
        graph('Function duration p99 (ms)', perFunction((h, label) => h.fn.metricDuration({ period, statistic: 'p99', label }), 'p99')),
      ],
      [
        graph('Function errors and throttles', [
          ...perFunction((h, label) => h.fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM, label }), 'errors'),
          ...perFunction((h, label) => h.fn.metricThrottles({ period, statistic: cloudwatch.Stats.SUM, label }), 'throttles'),
        ]),
        graph('DynamoDB consumed capacity (units)', props.tables.all.flatMap(({ def, table }) => [
          table.metricConsumedReadCapacityUnits({ period, statistic: cloudwatch.Stats.SUM, label: `${def.id} read` }),
          table.metricConsumedWriteCapacityUnits({ period, statistic: cloudwatch.Stats.SUM, label: `${def.id} write` }),
        ])),
      ],
    ];
    if (props.waf) {
      const waf = props.waf;
      // WAF publishes CloudFront web ACL metrics in us-east-1, dimensioned by the ACL's and rules' metric names.
      const wafMetric = (metricName: string, rule: string, label: string) => new cloudwatch.Metric({
        namespace: 'AWS/WAFV2', metricName, dimensionsMap: { WebACL: waf.webAclMetric, Rule: rule },
        region: waf.region, statistic: cloudwatch.Stats.SUM, period, label,
      });
      widgets.push([graph('Edge WAF (us-east-1)', [
        wafMetric('AllowedRequests', 'ALL', 'allowed'),
        wafMetric('BlockedRequests', 'ALL', 'blocked, all rules'),
        wafMetric('BlockedRequests', waf.rateRuleMetric, 'blocked by the per-IP rate rule'),
      ], { width: 24 })]);
    }
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
      widgets,
    });
  }
}
