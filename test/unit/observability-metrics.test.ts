// Observability (issue 7): the EMF documents, parsed as CloudWatch would. Names, units and dimension sets are
// the contract of the alarms and dashboard: alarm metrics carry only `service`, request metrics add `decision`
// (default metrics detail; the counts per action a plain member) or action and decision (corridor:metricsDetail=action).
// Request metrics come from the audit stream, one document per batch and dimension values (issue 16), not per request.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryDataKeys } from '../../lambdas/adapters/memory/memory-data-keys.ts';
import { DATA_KEY_REPORT_INTERVAL_MS, METRIC, METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../../lambdas/adapters/aws/powertools-telemetry.ts';
import { ConfigError, DEFAULT_METRICS_DETAIL, readMetricsDetail, type MetricsDetail } from '../../lambdas/config.ts';
import { APP_METRICS, APP_NAMESPACE, requestDimensionNames, SERVICE_DIMENSIONS } from '../../lib/constructs/app-metrics.ts';
import { PayloadCipher } from '../../lambdas/core/payload-cipher.ts';
import type { AuditEvent } from '../../lambdas/core/audit.ts';
import type { Write } from '../../lambdas/core/ports.ts';
import { aggregateRequests } from '../../lambdas/core/request-metrics.ts';
import { scheduledCheck } from '../../lambdas/core/sealer.ts';
import type { CoreServices } from '../../lambdas/core/services.ts';
import { ExchangeDriver, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { captureOutput, type Captured } from '../helpers/output-capture.ts';

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let x: TestExchange;
let bafa: TestAgency;
let out: Captured;
let telemetry: PowertoolsTelemetry;
let services: CoreServices;
let driver: ExchangeDriver;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  await x.agency('NL-DOUANE', ['customs']);
  out = captureOutput();
  telemetry = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
  services = { ...x.services, telemetry };
  driver = new ExchangeDriver(services, x.clock.now);
  driver.operator = x.operator;
});

afterEach(() => out.restore());

const emf = (): Emf[] => out.json().filter((l): l is Emf => '_aws' in l);
const withMetric = (name: string): Emf[] => emf().filter((d) => d._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === name));

/** The one document's directive, with its values checked to be where CloudWatch looks for them. */
function directive(d: Emf): { namespace: string; dimensions: string[][]; metrics: Record<string, string> } {
  expect(d._aws.CloudWatchMetrics).toHaveLength(1);
  const [cw] = d._aws.CloudWatchMetrics;
  for (const dim of cw!.Dimensions.flat()) expect(typeof d[dim]).toBe('string');
  for (const m of cw!.Metrics) expect(typeof d[m.Name]).toBe('number');
  return { namespace: cw!.Namespace, dimensions: cw!.Dimensions, metrics: Object.fromEntries(cw!.Metrics.map((m) => [m.Name, m.Unit])) };
}

describe('EMF metrics', () => {
  /** Latency of a request's event, from the request's start: the Clock port, not timing, on the test's clock. */
  async function answerRequests(): Promise<AuditEvent[]> {
    const before = x.auditEvents().length;
    const signingKey = x.services.responseKeys.signingKey.bind(x.services.responseKeys);
    let work = 0;
    x.services.responseKeys.signingKey = async () => {
      x.time += [25, 40, 7][work++ % 3]!;
      return signingKey();
    };
    expect((await driver.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] })).status).toBe(201);
    expect((await driver.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read'] })).status).toBe(200);
    expect((await driver.call(bafa, 'license.status', { licenseId: 'DE-NONE', status: 'revoked', reason: 'r' })).status).toBe(404);
    return x.auditEvents().slice(before);
  }

  /** A request metrics document: Requests a number, LatencyMs a histogram consistent with it. */
  function requestDoc(d: Emf): { dimensions: string[][]; requests: number; latency: { Values: number[]; Counts: number[]; Min: number; Max: number; Count: number; Sum: number } } {
    expect(d._aws.CloudWatchMetrics).toHaveLength(1);
    const [cw] = d._aws.CloudWatchMetrics;
    expect(cw!.Namespace).toBe('Corridor');
    expect(Object.fromEntries(cw!.Metrics.map((m) => [m.Name, m.Unit]))).toEqual({ Requests: 'Count', LatencyMs: 'Milliseconds' });
    for (const dim of cw!.Dimensions.flat()) expect(typeof d[dim]).toBe('string');
    const latency = d.LatencyMs as { Values: number[]; Counts: number[]; Min: number; Max: number; Count: number; Sum: number };
    expect(Object.keys(latency)).toEqual(['Values', 'Counts', 'Max', 'Min', 'Count', 'Sum']);
    expect(latency.Values.length).toBe(latency.Counts.length);
    expect(latency.Count).toBe(d.Requests);
    return { dimensions: cw!.Dimensions, requests: d.Requests as number, latency };
  }

  it('the API handlers publish no Requests or LatencyMs: a request leaves only its audit event (and a line if denied)', async () => {
    await answerRequests();
    expect(withMetric('Requests')).toEqual([]);
    expect(withMetric('LatencyMs')).toEqual([]);
  });

  it('requestsAggregated, default detail `decision`: one document per decision for the whole batch, dimensions exactly {service, decision}', async () => {
    expect(DEFAULT_METRICS_DETAIL).toBe('decision');
    expect(telemetry.detail).toBe('decision');
    telemetry.requestsAggregated(aggregateRequests(await answerRequests()));
    const docs = withMetric('Requests');
    expect(docs.map((d) => d.decision)).toEqual(['allow', 'deny']);
    const [allow, deny] = docs.map(requestDoc);
    expect(allow).toEqual({ dimensions: [['service', 'decision']], requests: 2, latency: { Values: [25, 40], Counts: [1, 1], Max: 40, Min: 25, Count: 2, Sum: 65 } });
    expect(deny).toEqual({ dimensions: [['service', 'decision']], requests: 1, latency: { Values: [7], Counts: [1], Max: 7, Min: 7, Count: 1, Sum: 7 } });
    // The action is no dimension here (no metric billed per action): the counts per action are a plain member.
    expect(docs.map((d) => d.actions)).toEqual([{ 'agreement.put': 2 }, { 'license.status': 1 }]);
    expect(docs[0]).toMatchObject({ service: 'corridor' });
    expect(docs[0]).not.toHaveProperty('action');
  });

  it('requestsAggregated, detail `action`: one document per action and decision, dimensions exactly {service, action, decision}', async () => {
    telemetry = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), undefined, 'action');
    telemetry.requestsAggregated(aggregateRequests(await answerRequests()));
    const docs = withMetric('Requests');
    expect(docs.map((d) => [d.action, d.decision, d.Requests])).toEqual([['agreement.put', 'allow', 2], ['license.status', 'deny', 1]]);
    for (const d of docs) {
      expect(requestDoc(d).dimensions).toEqual([['service', 'action', 'decision']]);
      expect(d).not.toHaveProperty('actions');
    }
  });

  it('a batch of 300 requests: still one document, at most 100 latency values, counts and statistics exact', () => {
    const events = Array.from({ length: 300 }, (_, i) => ({ ...x.auditEvents()[1]!, ms: i + 1, decision: 'allow' as const }));
    telemetry.requestsAggregated(aggregateRequests(events));
    const docs = withMetric('Requests');
    expect(docs).toHaveLength(1);
    const { requests, latency } = requestDoc(docs[0]!);
    expect(requests).toBe(300);
    expect(latency.Values.length).toBeLessThanOrEqual(100);
    expect(latency.Counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect([latency.Min, latency.Max, latency.Sum]).toEqual([1, 300, 45150]);
  });

  it('nothing to report, or metrics disabled (POWERTOOLS_METRICS_DISABLED, as `npm start` sets): no document', async () => {
    telemetry.requestsAggregated([]);
    expect(out.text()).toBe('');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    try {
      const off = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
      off.requestsAggregated(aggregateRequests(await answerRequests()));
      expect(withMetric('Requests')).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('the dashboard reads the request metrics in the dimension set each detail publishes', () => {
    for (const detail of ['decision', 'action'] as const satisfies readonly MetricsDetail[]) {
      const t = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), undefined, detail);
      out.restore();
      out = captureOutput();
      t.requestsAggregated(aggregateRequests([{ ...x.auditEvents()[1]!, action: 'license.verify', ms: 3 }]));
      expect(requestDoc(withMetric('Requests')[0]!).dimensions, detail).toEqual([[...requestDimensionNames(detail)]]);
    }
  });

  it('CORRIDOR_METRICS_DETAIL: `decision` when unset, `action` on request, anything else refused', () => {
    expect(readMetricsDetail({})).toBe('decision');
    expect(readMetricsDetail({ CORRIDOR_METRICS_DETAIL: '' })).toBe('decision');
    expect(readMetricsDetail({ CORRIDOR_METRICS_DETAIL: 'action' })).toBe('action');
    expect(readMetricsDetail({ CORRIDOR_METRICS_DETAIL: 'decision' })).toBe('decision');
    expect(() => readMetricsDetail({ CORRIDOR_METRICS_DETAIL: 'actions' })).toThrow(ConfigError);
  });

  it('AuditWriteFailures: every failed audit write, dimensions exactly {service}', async () => {
    const commit = x.store.commit.bind(x.store);
    x.store.commit = async (writes: readonly Write[]) => {
      if (writes.some((w) => w.op === 'put' && w.record.table === 'audit')) throw new Error('ProvisionedThroughputExceededException');
      return commit(writes);
    };
    for (let i = 0; i < 2; i++) expect((await driver.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] })).status).toBe(503);
    const docs = withMetric('AuditWriteFailures');
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      expect(directive(d)).toEqual({ namespace: 'Corridor', dimensions: [['service']], metrics: { AuditWriteFailures: 'Count' } });
      expect(d).toMatchObject({ service: 'corridor', AuditWriteFailures: 1 });
      expect(d).not.toHaveProperty('action');
      expect(d).not.toHaveProperty('decision');
    }
  });

  it('SealLagSeconds: how far the completeness check is behind its margin, on every run, reported even when signing fails', async () => {
    await scheduledCheck(services, services.sealSigner); // events younger than the margin: the stream's, nothing checked
    x.time += 400_000;
    await scheduledCheck(services, services.sealSigner); // now past the margin, unsealed (no stream here): sealed
    await driver.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
    x.time += 400_000;
    const failing = { publicKey: () => services.sealSigner.publicKey(), sign: () => Promise.reject(new Error('KMSInvalidStateException')) };
    await expect(scheduledCheck(services, failing)).rejects.toThrow('KMSInvalidStateException');
    const docs = withMetric('SealLagSeconds');
    expect(docs.map((d) => d.SealLagSeconds)).toEqual([0, 0, 400]); // the failed run could not move its cursor
    for (const d of docs) expect(directive(d)).toEqual({ namespace: 'Corridor', dimensions: [['service']], metrics: { SealLagSeconds: 'Seconds' } });
    expect(out.json().filter((l) => l.message === 'seal run').map((l) => [l.lagSeconds, l.seals])).toEqual([[0, 0], [0, 1], [400, 0]]);
  });

  it('DataKeyCacheHits / DataKeyCacheMisses: the cipher\'s counts since the last report, dimensions exactly {service}; hits alone at most once a minute', async () => {
    const dataKeys = new MemoryDataKeys();
    const cipher = new PayloadCipher(dataKeys, x.clock);
    const scope = { owner: 'DE-BAFA', type: 'license' };
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) await cipher.encrypt('x', scope, 'aad');
    telemetry.dataKeyCache(cipher.stats, t0); // a miss: reported at once
    telemetry.dataKeyCache(cipher.stats, t0 + 1); // nothing new: no document
    await cipher.encrypt('x', scope, 'aad');
    telemetry.dataKeyCache(cipher.stats, t0 + DATA_KEY_REPORT_INTERVAL_MS - 1); // a hit within the minute: held
    await cipher.encrypt('x', scope, 'aad');
    telemetry.dataKeyCache(cipher.stats, t0 + DATA_KEY_REPORT_INTERVAL_MS); // the minute is over: both hits
    await cipher.encrypt('x', scope, 'aad');
    telemetry.dataKeyCache(cipher.stats, t0 + DATA_KEY_REPORT_INTERVAL_MS + 5); // held again
    const docs = withMetric('DataKeyCacheHits');
    expect(docs.map((d) => [d.DataKeyCacheHits, d.DataKeyCacheMisses])).toEqual([[2, 1], [2, 0]]);
    expect(dataKeys.calls.generate).toBe(1);
    for (const d of docs) expect(directive(d)).toEqual({ namespace: 'Corridor', dimensions: [['service']], metrics: { DataKeyCacheHits: 'Count', DataKeyCacheMisses: 'Count' } });
  });

  it('DataKeyCacheMisses: a miss is reported at once, within the minute, with the hits held until then', async () => {
    const t0 = 5_000_000;
    telemetry.dataKeyCache({ cacheHits: 1, kmsGenerate: 1, kmsDecrypt: 0 }, t0);
    telemetry.dataKeyCache({ cacheHits: 4, kmsGenerate: 1, kmsDecrypt: 0 }, t0 + 10);
    telemetry.dataKeyCache({ cacheHits: 5, kmsGenerate: 1, kmsDecrypt: 1 }, t0 + 20);
    expect(withMetric('DataKeyCacheHits').map((d) => [d.DataKeyCacheHits, d.DataKeyCacheMisses])).toEqual([[1, 1], [4, 1]]);
  });

  it('the alarms and dashboard (lib/constructs/app-metrics.ts) read exactly the namespace, service and names emitted', () => {
    expect(APP_NAMESPACE).toBe(METRICS_NAMESPACE);
    expect(SERVICE_DIMENSIONS).toEqual({ service: SERVICE_NAME });
    expect(Object.values(APP_METRICS).sort()).toEqual(Object.values(METRIC).sort());
  });

  it('no warnings or stray lines: every line is a log line or an EMF document', async () => {
    await driver.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
    telemetry.dataKeyCache(x.services.cipher.stats);
    telemetry.dataKeyCache(x.services.cipher.stats);
    telemetry.requestsAggregated(aggregateRequests(x.auditEvents()));
    const lines = out.json();
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect('_aws' in l || (l.service === 'corridor' && typeof l.message === 'string' && l.level !== 'WARN')).toBe(true);
  });
});
