/**
 * Dollars per million requests and the fixed monthly floor, from bench/prices.json and what the
 * bench measured: DynamoDB capacity units and KMS calls counted against moto, the log bytes the
 * Powertools telemetry actually writes per request (its share of the audit stream's metrics document
 * included), handler CPU and bundle init time; resources
 * (keys, alarms, dashboards, WAF) counted in the synthesized CloudFormation template.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../lambdas/adapters/aws/powertools-telemetry.ts';
import type { MetricsDetail } from '../lambdas/config.ts';
import type { AuditEvent } from '../lambdas/core/audit.ts';
import { aggregateRequests } from '../lambdas/core/request-metrics.ts';
import { ACTION_ROUTES } from '../lambdas/core/routes.ts';
import { DEFAULT_MEMORY_MB, PROJECT_ROOT } from '../lib/constructs/handler-function.ts';

type Price = { usd: number; source: string };
export const PRICES = JSON.parse(readFileSync(join(PROJECT_ROOT, 'bench/prices.json'), 'utf8')) as Record<string, Price> & { region: string; checked: string };
const p = (k: string): number => PRICES[k]!.usd;

/** Assumptions the bench cannot measure locally, stated once. */
export const ASSUMPTIONS = {
  /** In-region DynamoDB round trip billed as Lambda wall time (AWS: single-digit ms; moto is not AWS). */
  dynamodbRoundTripMs: 5,
  /**
   * START/END/REPORT platform lines Lambda writes per invocation: none since every function logs with the system log
   * level at WARN (lib/constructs/handler-function.ts); they were 330 bytes per invocation.
   */
  platformLogBytes: 0,
  /** Fraction of requests that meet a cold start (init is billed since Aug 2025). */
  coldStartRate: 0.001,
  /**
   * Audit events per batch of the audit stream's consumer, which publishes the request metrics as one EMF document
   * per batch (and decision): each request carries 1/100 of it. Its verifications' latencies spread over 40 distinct
   * ms (10-49), 40 values in the LatencyMs histogram; a smaller batch (a quiet stream) costs more per request.
   */
  metricsBatchEvents: 100,
  /**
   * Requests a warm container answers per data-key cache document (hits are reported at most once a minute per
   * container, DATA_KEY_REPORT_INTERVAL_MS): 60 when each container answers at least one request a second, a
   * conservative floor at the design load (more containers than requests a second would be idle ones).
   */
  requestsPerDataKeyDocument: 60,
  /** A response is well under 10 KB: CloudFront data transfer out per request. */
  responseBytes: 4096,
  /**
   * Sustained requests per second on the function, for the share of them X-Ray records: the design load of
   * docs/performance.md (Scale), 1,000 verifications a second on the licenses function. Lambda active tracing
   * (`corridor:tracing` `function` and `sdk`, every function that reaches AWS) samples by X-Ray's default rule,
   * assumed to apply per function: the first request each second (reservoir) and 5 % of the others.
   */
  xrayRequestsPerSecond: 1000,
};

/** The share of requests X-Ray records at `rps` sustained requests a second under the default rule (1/s + 5 %). */
export const xrayTracedFraction = (rps: number): number => (rps <= 1 ? 1 : (1 + 0.05 * (rps - 1)) / rps);

export interface PerRequestInput {
  /** DynamoDB request units per request, sealing share included. */
  rru: number;
  wru: number;
  /** The part of `wru` spent on each global secondary index (computed from the projections: moto meters no index). */
  indexWru: Record<string, number>;
  dynamodbCalls: number;
  kmsCalls: number;
  cpuMs: number;
  initMs: number;
}

export interface CostLine { item: string; usd: number; formula: string }

/** What the deployed telemetry (with `detail`) writes to stdout and stderr (Lambda logs both) while `run` calls it. */
function captured(detail: MetricsDetail, run: (t: PowertoolsTelemetry) => void): string {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((s) => s.write);
  for (const s of streams) {
    s.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof s.write;
  }
  try {
    run(new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), undefined, detail));
  } finally {
    streams.forEach((s, i) => { s.write = writes[i]!; });
  }
  return chunks.join('');
}

/** A request's audit event as the stream delivers it, for the metrics document (its other members are not logged). */
const requestEvent = (action: string, decision: 'allow' | 'deny', ms: number): AuditEvent => ({
  id: `ev-${'A'.repeat(43)}`, ts: '2026-11-22T10:00:00.000Z', exchangeId: 'corridor', actor: 'NL-DOUANE', action, decision,
  status: 200, rqd: 'A'.repeat(43), rsd: 'A'.repeat(43), sourceIp: '198.51.100.9', requestId: 'Jx3aTgX0FiAEMxw=', hash: 'A'.repeat(43), ms,
});

/**
 * Bytes the deployed telemetry logs per answered plain success (measured by capturing stdout): the API function logs
 * no line for it; its share of the container's data-key cache document (ASSUMPTIONS.requestsPerDataKeyDocument) and of
 * the metrics document the audit stream's consumer prints for a batch of ASSUMPTIONS.metricsBatchEvents such requests.
 */
export function telemetryLogBytes(detail: MetricsDetail = 'decision'): number {
  const handler = captured(detail, (t) => {
    t.requestCompleted({ requestId: 'Jx3aTgX0FiAEMxw=', auditId: `ev-${'A'.repeat(43)}`, actor: 'NL-DOUANE', action: 'license.verify', status: 200, decision: 'allow', durationMs: 12 });
    t.dataKeyCache({ cacheHits: ASSUMPTIONS.requestsPerDataKeyDocument * 2, kmsGenerate: 0, kmsDecrypt: 0 });
  });
  const n = ASSUMPTIONS.metricsBatchEvents;
  const batch = captured(detail, (t) => t.requestsAggregated(aggregateRequests(Array.from({ length: n }, (_, i) => requestEvent('license.verify', 'allow', 10 + (i % 40))))));
  const bytes = Buffer.byteLength(handler) / ASSUMPTIONS.requestsPerDataKeyDocument + Buffer.byteLength(batch) / n + ASSUMPTIONS.platformLogBytes;
  return Math.round(bytes * 10) / 10;
}

/**
 * CloudWatch custom metrics the telemetry can create with `detail`: every observation it has, for every action and both
 * decisions (the request metrics as the audit stream's consumer publishes them, from one batch holding them all), run
 * through the real PowertoolsTelemetry; each distinct namespace, metric name and dimension values in the EMF documents
 * it prints is one metric (CloudWatch bills each one that receives data in a month).
 */
export function customMetrics(detail: MetricsDetail): string[] {
  const text = captured(detail, (t) => {
    t.requestsAggregated(aggregateRequests(ACTION_ROUTES.flatMap(({ act }) => (['allow', 'deny'] as const).map((decision) => requestEvent(act, decision, 1)))));
    for (const { act } of ACTION_ROUTES) t.requestCompleted({ requestId: 'r', action: act, status: 503, decision: 'deny', durationMs: 1 });
    t.auditWriteFailed({ requestId: 'r', action: 'license.verify', dependency: 'dynamodb', errorClass: 'E' });
    t.sealRun({ lagSeconds: 0, seals: 0, events: 0 });
    t.dataKeyCache({ cacheHits: 1, kmsGenerate: 1, kmsDecrypt: 0 });
  });
  const metrics = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.includes('"_aws"')) continue;
    const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
    for (const d of doc._aws.CloudWatchMetrics) {
      for (const dims of d.Dimensions) {
        for (const m of d.Metrics) metrics.add(`${d.Namespace}/${m.Name}{${dims.map((k) => `${k}=${String(doc[k])}`).join(',')}}`);
      }
    }
  }
  return [...metrics].sort();
}

const sumOf = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);

/** Per million requests on the deployed front door (HTTP API) and the alternatives. */
export function perMillion(r: PerRequestInput, logBytes: number): { lines: CostLine[]; fronts: Record<string, number> } {
  const gb = DEFAULT_MEMORY_MB / 1024;
  const billedMs = Math.ceil(r.cpuMs + r.dynamodbCalls * ASSUMPTIONS.dynamodbRoundTripMs) + ASSUMPTIONS.coldStartRate * r.initMs;
  const lines: CostLine[] = [
    { item: 'Lambda requests', usd: p('lambdaRequestsPerMillion'), formula: '$0.20/M' },
    { item: 'Lambda duration', usd: 1e6 * gb * (billedMs / 1000) * p('lambdaArmPerGbSecond'), formula: `${gb} GB × ${billedMs.toFixed(2)} ms (⌈CPU ${r.cpuMs.toFixed(2)} + ${r.dynamodbCalls} DynamoDB × ${ASSUMPTIONS.dynamodbRoundTripMs} ms⌉ + ${ASSUMPTIONS.coldStartRate} × init ${r.initMs.toFixed(0)} ms) × $${p('lambdaArmPerGbSecond')}/GB-s` },
    { item: 'DynamoDB writes', usd: r.wru * p('dynamodbWriteRequestUnitPerMillion'), formula: `${r.wru.toFixed(2)} WRU (items ${(r.wru - sumOf(r.indexWru)).toFixed(2)}; indexes ${Object.entries(r.indexWru).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') || 'none'}, computed from each write and the index projections in definitions.ts, as moto meters no index) × $${p('dynamodbWriteRequestUnitPerMillion')}/M` },
    { item: 'DynamoDB reads', usd: r.rru * p('dynamodbReadRequestUnitPerMillion'), formula: `${r.rru.toFixed(2)} RRU × $${p('dynamodbReadRequestUnitPerMillion')}/M` },
    { item: 'KMS', usd: r.kmsCalls * 100 * p('kmsSymmetricRequestsPer10k') + (100 / 2000) * p('kmsAsymmetricEccSignPer10k'), formula: `${r.kmsCalls.toFixed(4)} calls × $${p('kmsSymmetricRequestsPer10k')}/10k + 1/2,000 seal Sign × $${p('kmsAsymmetricEccSignPer10k')}/10k` },
    { item: 'CloudWatch Logs', usd: (logBytes / 1e9) * 1e6 * p('cloudwatchLogsIngestPerGb'), formula: `${logBytes} B × $${p('cloudwatchLogsIngestPerGb')}/GB` },
    { item: 'X-Ray traces', usd: xrayTracedFraction(ASSUMPTIONS.xrayRequestsPerSecond) * p('xrayTracesRecordedPerMillion'), formula: `${(100 * xrayTracedFraction(ASSUMPTIONS.xrayRequestsPerSecond)).toFixed(2)} % recorded at ${ASSUMPTIONS.xrayRequestsPerSecond}/s sustained ((1 + 5 % × ${ASSUMPTIONS.xrayRequestsPerSecond - 1}) / ${ASSUMPTIONS.xrayRequestsPerSecond}) × $${p('xrayTracesRecordedPerMillion')}/M` },
  ];
  const backend = lines.reduce((s, l) => s + l.usd, 0);
  const cloudfront = 100 * p('cloudfrontHttpsPer10k') + (ASSUMPTIONS.responseBytes / 1e9) * 1e6 * p('cloudfrontTransferOutPerGb');
  return {
    lines,
    fronts: {
      'HTTP API (deployed)': backend + p('apiGatewayHttpPerMillion'),
      'REST API': backend + p('apiGatewayRestPerMillion'),
      'Function URL + CloudFront': backend + cloudfront,
      'CloudFront + WAF + HTTP API': backend + p('apiGatewayHttpPerMillion') + cloudfront + p('wafRequestsPerMillion'),
    },
  };
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

export interface Floor { detail: MetricsDetail; lines: CostLine[]; total: number; counted: Record<string, number> }

/**
 * The fixed monthly floor: what the stack costs with no traffic (the sealer still runs every minute, signing nothing), for
 * the template synthesized with corridor:metricsDetail=`detail` and the custom metrics the telemetry creates with it.
 */
export function monthlyFloor(template: Template, sealerIdleMs: number, detail: MetricsDetail): Floor {
  const resources = Object.values(template.Resources);
  const n = (type: string): number => resources.filter((r) => r.Type === type).length;
  const rotating = resources.filter((r) => r.Type === 'AWS::KMS::Key' && r.Properties?.EnableKeyRotation === true).length;
  const webAcls = resources.filter((r) => r.Type === 'AWS::WAFv2::WebACL');
  const wafRules = webAcls.reduce((s, a) => s + ((a.Properties?.Rules as unknown[] | undefined)?.length ?? 0), 0);
  const metrics = customMetrics(detail).length;
  const runs = 60 * 24 * 30;
  // CloudWatch bills an alarm per metric it reads: a metric-math alarm costs one alarm metric per metric in its expression.
  const alarmMetrics = resources.filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .reduce((sum, r) => sum + Math.max(1, ((r.Properties?.Metrics as { MetricStat?: unknown }[] | undefined) ?? []).filter((m) => m.MetricStat).length), 0);
  const counted = { kmsKeys: n('AWS::KMS::Key'), kmsKeysRotating: rotating, alarms: n('AWS::CloudWatch::Alarm'), alarmMetrics, dashboards: n('AWS::CloudWatch::Dashboard'), webAcls: webAcls.length, wafRules, customMetrics: metrics };
  const lines: CostLine[] = [
    { item: 'KMS keys', usd: counted.kmsKeys * p('kmsKeyPerMonth'), formula: `${counted.kmsKeys} keys × $1 (rotation adds $1/key/month per rotated version, up to 2: ${rotating} rotating)` },
    { item: 'CloudWatch alarms', usd: counted.alarmMetrics * p('cloudwatchAlarmPerMonth'), formula: `${counted.alarms} alarms reading ${counted.alarmMetrics} metrics × $0.10 per alarm metric` },
    { item: 'CloudWatch dashboards', usd: counted.dashboards * p('cloudwatchDashboardPerMonth'), formula: `${counted.dashboards} × $3` },
    { item: 'WAF', usd: counted.webAcls * p('wafWebAclPerMonth') + wafRules * p('wafRulePerMonth'), formula: `${counted.webAcls} ACL × $5 + ${wafRules} rules × $1 (optional front door)` },
    { item: 'Sealer (every minute)', usd: runs * (p('lambdaRequestsPerMillion') / 1e6 + (DEFAULT_MEMORY_MB / 1024) * (Math.ceil(sealerIdleMs) / 1000) * p('lambdaArmPerGbSecond')), formula: `${runs} runs × ($0.20/M + ${Math.ceil(sealerIdleMs)} ms × 0.5 GB); an idle run signs nothing (one KMS Sign per 2,000 events is in the per-request cost)` },
    { item: 'Custom metrics (EMF)', usd: metrics * p('cloudwatchCustomMetricPerMonth'), formula: `up to ${metrics} metrics × $0.30 (metricsDetail=${detail}: counted in the EMF the telemetry prints for ${ACTION_ROUTES.length} actions × allow/deny; only those that receive data in the month are billed)` },
  ];
  return { detail, lines, total: lines.reduce((s, l) => s + l.usd, 0), counted };
}
