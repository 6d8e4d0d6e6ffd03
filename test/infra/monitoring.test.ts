/** Alarms, the dashboard, and the log groups of every stack of every variant (encrypted, with retention). */
import { beforeAll, describe, it, expect } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { APP_NAMESPACE } from '../../lib/constructs/app-metrics.ts';
import { API_5XX_THRESHOLD, TABLE_OPERATIONS } from '../../lib/constructs/monitoring.ts';
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
    expect(alarms.length).toBe(2 + 1 + 1 + 2 * 6 + 2 * 3);
    for (const a of alarms) expect(a.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
  });

  it('audit-write failures: any in 5 minutes, on the Corridor {service} metric; missing data is the healthy state', () => {
    expect(props(v.stack.monitoring.auditWriteFailures)).toMatchObject({
      Namespace: APP_NAMESPACE, MetricName: 'AuditWriteFailures', Dimensions: SERVICE, Statistic: 'Sum', Period: 300,
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
      if (name === 'sealer') {
        expect(errors).toBeUndefined();
        expect(throttles).toBeUndefined();
        continue;
      }
      const fn = [{ Name: 'FunctionName', Value: { Ref: logicalId(h.fn) } }];
      expect(props(errors!), name).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: fn, Threshold: 1, TreatMissingData: 'notBreaching' });
      expect(props(throttles!), name).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: fn, Threshold: 1, TreatMissingData: 'notBreaching' });
    }
  });

  it('DynamoDB: throttled requests and system errors of every table, summed over the operations the store issues', () => {
    for (const { def, table } of v.stack.tables.all) {
      for (const [kind, alarm] of [['ThrottledRequests', v.stack.monitoring.tableThrottles[def.id]], ['SystemErrors', v.stack.monitoring.tableSystemErrors[def.id]]] as const) {
        const p = props(alarm);
        expect(p.TreatMissingData).toBe('notBreaching');
        const metrics = (p.Metrics as Json[]).filter((m) => m.MetricStat);
        expect(metrics.map((m) => m.MetricStat.Metric.Dimensions.find((d: Json) => d.Name === 'Operation').Value).sort(), `${def.id} ${kind}`)
          .toEqual([...TABLE_OPERATIONS].sort());
        for (const m of metrics) {
          expect(m.MetricStat.Metric).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: kind });
          expect(m.MetricStat.Metric.Dimensions).toContainEqual({ Name: 'TableName', Value: { Ref: logicalId(table) } });
        }
      }
    }
  });
});

describe('dashboard', () => {
  const body = (): string => JSON.stringify(props(v.stack.dashboard.dashboard).DashboardBody);

  it('graphs requests and denials per action, latency p50/p99, 4xx/5xx, audit failures, seal lag and cache hit rate', () => {
    const b = body();
    for (const title of ['Requests per action and decision', 'Denials per action', 'Latency p50 per action (ms)', 'Latency p99 per action (ms)',
      'HTTP API answers', 'Audit trail: failed writes and seal lag', 'Data-key cache hit rate (%)', 'Function duration p99 (ms)',
      'Function errors and throttles', 'DynamoDB consumed capacity (units)']) expect(b).toContain(title);
    expect(b).toContain(`SEARCH('{${APP_NAMESPACE},service,action,decision} MetricName=\\\\\\"Requests\\\\\\" service=\\\\\\"corridor\\\\\\"', 'Sum', 300)`);
    expect(b).toContain('decision=\\\\\\"deny\\\\\\"');
    expect(b).toContain("'p99', 300)");
    expect(b).toContain('100 * hits / (hits + misses)');
    for (const m of ['SealLagSeconds', 'AuditWriteFailures', 'DataKeyCacheHits', 'DataKeyCacheMisses', '4xx', '5xx', 'ConsumedReadCapacityUnits', 'Throttles']) {
      expect(b, m).toContain(m);
    }
  });

  it('adds the edge web ACL graph (metrics in us-east-1) only with the cloudfront-waf edge', () => {
    expect(body()).not.toContain('AWS/WAFV2');
    const edge = synthesizeVariant({ 'corridor:edge': 'cloudfront-waf' });
    const json = JSON.stringify(edge.templates[0]!.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(json).toContain('AWS/WAFV2');
    expect(json).toContain('us-east-1');
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
    // 7 function groups + the access log, twice, plus the WAF log group
    expect(count).toBe(8 * 2 + 1);
  });

  it('the HTTP API stage writes access logs to its encrypted group', () => {
    const stage = props(v.stack.exchangeApi.stage);
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalId(v.stack.exchangeApi.accessLogs), 'Arn'] });
  });
});
