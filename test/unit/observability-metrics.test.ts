// Observability (issue 7): the EMF documents, parsed as CloudWatch would. Names, units and dimension sets are
// the contract of the alarms and dashboard: alarm metrics carry only `service`, request metrics add `decision`
// (default metrics detail; the action is a plain property) or action and decision (corridor:metricsDetail=action).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryDataKeys } from '../../lambdas/adapters/memory/memory-data-keys.ts';
import { METRIC, METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../../lambdas/adapters/aws/powertools-telemetry.ts';
import { ConfigError, DEFAULT_METRICS_DETAIL, readMetricsDetail, type MetricsDetail } from '../../lambdas/config.ts';
import { APP_METRICS, APP_NAMESPACE, requestDimensionNames, SERVICE_DIMENSIONS } from '../../lib/constructs/app-metrics.ts';
import { PayloadCipher } from '../../lambdas/core/payload-cipher.ts';
import type { Write } from '../../lambdas/core/ports.ts';
import { sealAll } from '../../lambdas/core/sealer.ts';
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
  /** Requests answered by `driver` with the store taking 25 ms per commit on the test's clock, as EMF documents. */
  async function requestDocs(): Promise<Emf[]> {
    // The store "takes" 25 ms of the test's clock per commit: latency comes from the Clock port, not from timing.
    const commit = x.store.commit.bind(x.store);
    x.store.commit = async (writes: readonly Write[]) => {
      x.time += 25;
      return commit(writes);
    };
    expect((await driver.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] })).status).toBe(201);
    expect((await driver.call(bafa, 'license.status', { licenseId: 'DE-NONE', status: 'revoked', reason: 'r' })).status).toBe(404);
    const docs = withMetric('Requests');
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      expect(d.service).toBe('corridor');
      expect(d.Requests).toBe(1);
      expect(d.LatencyMs).toBe(25);
    }
    // Dimension or not, the action and decision are members of every document: Logs Insights groups by either.
    expect(docs.map((d) => [d.action, d.decision])).toEqual([['agreement.put', 'allow'], ['license.status', 'deny']]);
    return docs;
  }

  it('Requests and LatencyMs, default detail `decision`: one document per request, dimensions exactly {service, decision}, action a property', async () => {
    expect(DEFAULT_METRICS_DETAIL).toBe('decision');
    expect(telemetry.detail).toBe('decision');
    for (const d of await requestDocs()) {
      expect(directive(d)).toEqual({ namespace: 'Corridor', dimensions: [['service', 'decision']], metrics: { Requests: 'Count', LatencyMs: 'Milliseconds' } });
      expect(typeof d.action).toBe('string');
    }
  });

  it('Requests and LatencyMs, detail `action`: one document per request, dimensions exactly {service, action, decision}', async () => {
    telemetry = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), undefined, 'action');
    services = { ...x.services, telemetry };
    driver = new ExchangeDriver(services, x.clock.now);
    driver.operator = x.operator;
    for (const d of await requestDocs()) {
      expect(directive(d)).toEqual({ namespace: 'Corridor', dimensions: [['service', 'action', 'decision']], metrics: { Requests: 'Count', LatencyMs: 'Milliseconds' } });
    }
  });

  it('the dashboard reads the request metrics in the dimension set each detail publishes', () => {
    for (const detail of ['decision', 'action'] as const satisfies readonly MetricsDetail[]) {
      const t = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), undefined, detail);
      out.restore();
      out = captureOutput();
      t.requestCompleted({ requestId: 'r', action: 'license.verify', status: 200, decision: 'allow', durationMs: 3 });
      expect(directive(withMetric('Requests')[0]!).dimensions, detail).toEqual([[...requestDimensionNames(detail)]]);
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

  it('SealLagSeconds: the oldest unsealed event\'s age on every run, 0 when none, reported even when signing fails', async () => {
    x.time += 90_000;
    await sealAll(services, services.sealSigner);
    await sealAll(services, services.sealSigner);
    await driver.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
    x.time += 45_500;
    const failing = { publicKey: () => services.sealSigner.publicKey(), sign: () => Promise.reject(new Error('KMSInvalidStateException')) };
    await expect(sealAll(services, failing)).rejects.toThrow('KMSInvalidStateException');
    const docs = withMetric('SealLagSeconds');
    expect(docs.map((d) => d.SealLagSeconds)).toEqual([90, 0, 45.5]);
    for (const d of docs) expect(directive(d)).toEqual({ namespace: 'Corridor', dimensions: [['service']], metrics: { SealLagSeconds: 'Seconds' } });
    expect(out.json().filter((l) => l.message === 'seal run').map((l) => [l.lagSeconds, l.seals])).toEqual([[90, 1], [0, 0], [45.5, 0]]);
  });

  it('DataKeyCacheHits / DataKeyCacheMisses: the cipher\'s counts since the last report, dimensions exactly {service}', async () => {
    const dataKeys = new MemoryDataKeys();
    const cipher = new PayloadCipher(dataKeys, x.clock);
    const scope = { owner: 'DE-BAFA', type: 'license' };
    for (let i = 0; i < 3; i++) await cipher.encrypt('x', scope, 'aad');
    telemetry.dataKeyCache(cipher.stats);
    telemetry.dataKeyCache(cipher.stats); // nothing new: no document
    await cipher.encrypt('x', scope, 'aad');
    telemetry.dataKeyCache(cipher.stats);
    const docs = withMetric('DataKeyCacheHits');
    expect(docs.map((d) => [d.DataKeyCacheHits, d.DataKeyCacheMisses])).toEqual([[2, 1], [1, 0]]);
    expect(dataKeys.calls.generate).toBe(1);
    for (const d of docs) expect(directive(d)).toEqual({ namespace: 'Corridor', dimensions: [['service']], metrics: { DataKeyCacheHits: 'Count', DataKeyCacheMisses: 'Count' } });
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
    const lines = out.json();
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect('_aws' in l || (l.service === 'corridor' && typeof l.message === 'string' && l.level !== 'WARN')).toBe(true);
  });
});
