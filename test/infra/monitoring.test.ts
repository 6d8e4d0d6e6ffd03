/** Alarms, the dashboard, and the log groups of every stack of every variant (encrypted, with retention). */
import { beforeAll, describe, it, expect } from 'vitest';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../../lambdas/adapters/aws/powertools-telemetry.ts';
import { METRICS_DETAILS, type MetricsDetail } from '../../lambdas/config.ts';
import { aggregateRequests } from '../../lambdas/core/request-metrics.ts';
import { ACTION_ROUTES } from '../../lambdas/core/routes.ts';
import { APP_NAMESPACE } from '../../lib/constructs/app-metrics.ts';
import { API_5XX_THRESHOLD, TABLE_OPERATIONS } from '../../lib/constructs/monitoring.ts';
import { readSettings } from '../../lib/settings.ts';
import { captureOutput } from '../helpers/output-capture.ts';
import { synthesizeVariant, type Variant } from './synth.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

let v: Variant;
let resources: Json;
beforeAll(() => {
  v = synthesizeVariant();
  resources = (v.templates[0]!.template.toJSON() as Json).Resources;
});
const logicalId = (c: IConstruct): string => v.stack.getLogicalId(c.node.defaultChild as CfnElement);
const props = (c: IConstruct): Json => resources[logicalId(c)].Properties;
const SERVICE = [{ Name: 'service', Value: 'corridor' }];

describe('alarms', () => {
  it('every alarm notifies the alert topic on alarm and on recovery', () => {
    const topic = { Ref: logicalId(v.stack.alerts.topic) };
    const alarms = Object.values(resources).filter((r: Json) => r.Type === 'AWS::CloudWatch::Alarm') as Json[];
    // + the notifications table's 2, the 6 of lib/constructs/notifications.ts (test/infra/notifications.test.ts), the psv.overdue
    // scan's 1 and the stream sealer's 2 (iterator age, stream failures)
    expect(alarms.length).toBe(3 + 1 + 1 + 2 * 7 + 2 * 3 + 2 + 6 + 1 + 2);
    for (const a of alarms) expect(a.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
  });

  it('audit-write failures: any in 5 minutes, on the Corridor {service} metric; missing data is the healthy state', () => {
    expect(props(v.stack.monitoring.auditWriteFailures)).toMatchObject({
      Namespace: APP_NAMESPACE, MetricName: 'AuditWriteFailures', Dimensions: SERVICE, Statistic: 'Sum', Period: 300,
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
  });

  it('integrity failures (a blob that does not authenticate, a rolled-back balance): any in 5 minutes alarms', () => {
    expect(props(v.stack.monitoring.integrityFailures)).toMatchObject({
      Namespace: APP_NAMESPACE, MetricName: 'IntegrityFailures', Dimensions: SERVICE, Statistic: 'Sum', Period: 300,
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
    });
  });

  it('seal lag: over 5 minutes alarms, and so does no lag reported at all (the sealer is not running)', () => {
    expect(props(v.stack.sealerSchedule.lagAlarm)).toMatchObject({
      Namespace: APP_NAMESPACE, MetricName: 'SealLagSeconds', Dimensions: SERVICE, Statistic: 'Maximum',
      Threshold: 300, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'breaching',
    });
  });

  it('API 5xx: the HTTP API\'s 5xx sum over the tolerated handful of 503s', () => {
    expect(props(v.stack.monitoring.api5xx)).toMatchObject({
      Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(v.stack.exchangeApi.api) } }],
      Statistic: 'Sum', Threshold: API_5XX_THRESHOLD, TreatMissingData: 'notBreaching',
    });
  });

  it('errors and throttles of every function the API invokes; the sealer is covered by its own alarms', () => {
    const { errorsAlarm } = v.stack.sealerSchedule;
    expect(props(errorsAlarm)).toMatchObject({ MetricName: 'Errors' });
    for (const [name, h] of Object.entries(v.stack.handlers.byName)) {
      const errors = v.stack.monitoring.functionErrors[name as keyof typeof v.stack.monitoring.functionErrors];
      const throttles = v.stack.monitoring.functionThrottles[name as keyof typeof v.stack.monitoring.functionThrottles];
      if (name === 'sealer' || name === 'overdue' || name === 'notifier' || name === 'deliverer') {
        expect(errors).toBeUndefined();
        expect(throttles).toBeUndefined();
        continue;
      }
      const fn = [{ Name: 'FunctionName', Value: { Ref: logicalId(h.fn) } }];
      expect(props(errors!), name).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: fn, Threshold: 1, TreatMissingData: 'notBreaching' });
      expect(props(throttles!), name).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: fn, Threshold: 1, TreatMissingData: 'notBreaching' });
    }
  });

  it('DynamoDB: system errors of every table summed over the operations the store issues; throttle events of the table and each index', () => {
    for (const { def, table } of v.stack.tables.all) {
      const tableDim = { Name: 'TableName', Value: { Ref: logicalId(table) } };
      const errors = props(v.stack.monitoring.tableSystemErrors[def.id]);
      expect(errors.TreatMissingData).toBe('notBreaching');
      const errorMetrics = (errors.Metrics as Json[]).filter((m) => m.MetricStat);
      expect(errorMetrics.map((m) => m.MetricStat.Metric.Dimensions.find((d: Json) => d.Name === 'Operation').Value).sort(), def.id)
        .toEqual([...TABLE_OPERATIONS].sort());
      expect(TABLE_OPERATIONS).toContain('BatchGetItem'); // the sealer reads seal records with it
      expect(TABLE_OPERATIONS).not.toContain('BatchWriteItem'); // nothing rewrites events any more
      for (const m of errorMetrics) {
        expect(m.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: 'SystemErrors' });
        expect(m.MetricStat.Metric.Dimensions).toContainEqual(tableDim);
      }

      const throttles = props(v.stack.monitoring.tableThrottles[def.id]);
      expect([throttles.TreatMissingData, throttles.Threshold]).toEqual(['notBreaching', 1]);
      const queries = throttles.Metrics as Json[];
      const stats = queries.filter((m) => m.MetricStat).map((m) => m.MetricStat);
      const seen = stats.map((st) => [st.Metric.MetricName, st.Metric.Dimensions.find((d: Json) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? '-']);
      expect(seen.sort(), def.id).toEqual([['ReadThrottleEvents', '-'], ['WriteThrottleEvents', '-'], ...def.globalIndexes.map((g) => ['WriteThrottleEvents', g.indexName])].sort());
      for (const st of stats) {
        expect(st).toMatchObject({ Stat: 'Sum', Period: 300, Metric: { Namespace: 'AWS/DynamoDB' } });
        expect(st.Metric.Dimensions).toContainEqual(tableDim);
      }
      // the alarm watches the sum of all of them
      const expr = queries.find((m) => m.Expression)!;
      expect(expr.ReturnData ?? true).toBe(true);
      expect(String(expr.Expression).split(' + ').sort()).toEqual(queries.filter((m) => m.MetricStat).map((m) => m.Id).sort());
    }
  });
});

describe('dashboard', () => {
  const body = (): string => JSON.stringify(props(v.stack.dashboard.dashboard).DashboardBody);

  it('graphs requests and denials per decision, latency p50/p99, 4xx/5xx, audit failures, seal lag and cache hit rate', () => {
    const b = body();
    for (const title of ['Requests per decision', 'Denials', 'Latency p50 per decision (ms)', 'Latency p99 per decision (ms)',
      'HTTP API answers', 'Audit trail: failed writes and seal lag', 'Data-key cache hit rate (%)', 'Function duration p99 (ms)',
      'Function errors and throttles', 'DynamoDB consumed capacity (units)']) expect(b).toContain(title);
    expect(b).toContain(`SEARCH('{${APP_NAMESPACE},service,decision} MetricName=\\\\\\"Requests\\\\\\" service=\\\\\\"corridor\\\\\\"', 'Sum', 300)`);
    expect(b).not.toContain('per action');
    expect(b).toContain('decision=\\\\\\"deny\\\\\\"');
    expect(b).toContain("'p99', 300)");
    expect(b).toContain('100 * hits / (hits + misses)');
    for (const m of ['SealLagSeconds', 'AuditWriteFailures', 'DataKeyCacheHits', 'DataKeyCacheMisses', '4xx', '5xx', 'ConsumedReadCapacityUnits', 'Throttles']) {
      expect(b, m).toContain(m);
    }
  });

  it('with corridor:metricsDetail=action, the request graphs are per action and decision', () => {
    const action = synthesizeVariant({ 'corridor:metricsDetail': 'action' });
    const b = JSON.stringify(action.templates[0]!.template.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of ['Requests per action and decision', 'Denials per action', 'Latency p50 per action (ms)', 'Latency p99 per action (ms)']) expect(b).toContain(title);
    expect(b).toContain(`SEARCH('{${APP_NAMESPACE},service,action,decision} MetricName=`);
  });

  it('adds the edge web ACL graph (metrics in us-east-1) only with the cloudfront-waf edge', () => {
    expect(body()).not.toContain('AWS/WAFV2');
    const edge = synthesizeVariant({ 'corridor:edge': 'cloudfront-waf' });
    const json = JSON.stringify(edge.templates[0]!.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(json).toContain('AWS/WAFV2');
    expect(json).toContain('us-east-1');
  });
});

/** `namespace|metric|dimension names, sorted` of every metric the handlers' telemetry publishes with `detail`. */
function published(detail: MetricsDetail): Set<string> {
  const out = captureOutput();
  try {
    const t = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), undefined, detail);
    // Request metrics come from the audit stream's consumer: one batch with every action, allowed and denied.
    const event = { id: 'ev-x', ts: '2026-11-22T10:00:00.000Z', exchangeId: 'x', status: 200, rqd: 'a', rsd: 'b', sourceIp: 'i', requestId: 'r', hash: 'h', ms: 1 };
    t.requestsAggregated(aggregateRequests(ACTION_ROUTES.flatMap(({ act: action }) => (['allow', 'deny'] as const).map((decision) => ({ ...event, action, decision })))));
    t.auditWriteFailed({ requestId: 'r', action: 'license.verify', dependency: 'dynamodb', errorClass: 'E' });
    t.integrityFailed({ requestId: 'r', action: 'license.drawdown', dependency: 'internal', errorClass: 'IntegrityError', check: 'c' });
    t.sealRun({ lagSeconds: 0, seals: 0, events: 0 });
    t.dataKeyCache({ cacheHits: 1, kmsGenerate: 1, kmsDecrypt: 0 });
    const keys = new Set<string>();
    for (const line of out.json()) {
      const cw = (line._aws as Json | undefined)?.CloudWatchMetrics as Json[] | undefined;
      for (const d of cw ?? []) for (const dims of d.Dimensions as string[][]) for (const m of d.Metrics as Json[]) keys.add(`${d.Namespace}|${m.Name}|${[...dims].sort().join(',')}`);
    }
    return keys;
  } finally {
    out.restore();
  }
}

/** The Corridor-namespace metrics a template's alarms and dashboards read, as `namespace|metric|dimension names`. */
function referenced(variant: Variant): { alarms: string[]; dashboard: string[] } {
  const all = (variant.templates[0]!.template.toJSON() as Json).Resources as Json;
  const key = (ns: string, name: string, dims: string[]) => `${ns}|${name}|${[...dims].sort().join(',')}`;
  const alarms: string[] = [];
  for (const r of Object.values(all) as Json[]) {
    if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
    const p = r.Properties as Json;
    const stats: Json[] = p.MetricName ? [p] : (p.Metrics as Json[] ?? []).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
    for (const m of stats) alarms.push(key(m.Namespace, m.MetricName, (m.Dimensions as Json[] ?? []).map((d) => d.Name)));
  }
  const dashboard: string[] = [];
  for (const r of Object.values(all) as Json[]) {
    if (r.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const parts = r.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((x) => (typeof x === 'string' ? x : 'TOKEN')).join('')) as Json;
    for (const w of body.widgets as Json[]) {
      for (const line of (w.properties?.metrics ?? []) as unknown[][]) {
        const head = line[0];
        if (typeof head === 'string') {
          const dims = line.slice(2).filter((x): x is string => typeof x === 'string').filter((_, i) => i % 2 === 0);
          dashboard.push(key(head, line[1] as string, dims));
          continue;
        }
        const search = /^SEARCH\('\{([^}]*)\} MetricName="([^"]+)"/.exec(String((head as Json).expression ?? ''));
        if (search) {
          const [ns, ...dims] = search[1]!.split(',');
          dashboard.push(key(ns!, search[2]!, dims));
        }
      }
    }
  }
  const ours = (k: string) => k.startsWith(`${APP_NAMESPACE}|`);
  return { alarms: alarms.filter(ours), dashboard: dashboard.filter(ours) };
}

describe('corridor:metricsDetail: alarms and dashboard read only metrics the handlers publish', () => {
  it.each(METRICS_DETAILS)('%s', (detail) => {
    const variant = synthesizeVariant({ 'corridor:metricsDetail': detail });
    const emitted = published(detail);
    const { alarms, dashboard } = referenced(variant);
    expect(alarms.length).toBeGreaterThan(0);
    for (const k of alarms) expect(emitted, `alarm on ${k}`).toContain(k);
    for (const k of dashboard) expect(emitted, `dashboard graph of ${k}`).toContain(k);
    // The request graphs are there in either mode, in that mode's dimension set.
    const requests = `${APP_NAMESPACE}|Requests|${detail === 'action' ? 'action,decision,service' : 'decision,service'}`;
    expect(dashboard).toContain(requests);
    // What it costs: one custom metric per metric name and dimension values seen (ACTION_ROUTES × allow/deny or not).
    expect([...emitted].filter((k) => k.includes('|action,')).length).toBe(detail === 'action' ? 2 : 0);
    // The functions learn the detail from their environment (the console emits nothing and gets no variables).
    const fns = variant.templates[0]!.template.findResources('AWS::Lambda::Function');
    const details = Object.values(fns).map((f) => (f.Properties.Environment?.Variables as Json | undefined)?.CORRIDOR_METRICS_DETAIL).filter(Boolean);
    expect(details).toEqual(Array(7 + 3).fill(detail)); // 6 API groups and the sealer, + the notifier, the deliverer and the overdue scan
  });

  it('the default is `decision`; a misspelt value fails synth', () => {
    expect(readSettings(new App({ context: {} })).metricsDetail).toBe('decision');
    expect(() => readSettings(new App({ context: { 'corridor:metricsDetail': 'actions' } }))).toThrow(/corridor:metricsDetail must be one of decision, action/);
  });
});

describe('log groups', () => {
  const variants = () => [
    synthesizeVariant(),
    synthesizeVariant({ 'corridor:edge': 'cloudfront-waf' }),
  ];

  it('every log group of every stack is KMS-encrypted, kept a year and retained', () => {
    let count = 0;
    for (const variant of variants()) {
      for (const { template, stack } of variant.templates) {
        for (const [id, r] of Object.entries(template.findResources('AWS::Logs::LogGroup'))) {
          expect(r.Properties, `${stack.stackName}/${id}`).toMatchObject({ RetentionInDays: 365, KmsKeyId: expect.anything() });
          expect(r.DeletionPolicy, `${stack.stackName}/${id}`).toBe('Retain');
          count++;
        }
      }
    }
    // 8 function groups + the access log, twice, plus the WAF log group
    expect(count).toBe((9 + 3) * 2 + 1); // + the notifier's, the deliverer's and the overdue scan's
  });

  it('the HTTP API stage writes access logs to its encrypted group', () => {
    const stage = props(v.stack.exchangeApi.stage);
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalId(v.stack.exchangeApi.accessLogs), 'Arn'] });
  });
});
