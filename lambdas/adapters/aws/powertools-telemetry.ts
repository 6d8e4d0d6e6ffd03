/**
 * Telemetry on Powertools for AWS Lambda: one JSON log line per observation (Logger),
 * CloudWatch embedded-metric-format documents (Metrics) and X-Ray annotations (Tracer).
 * The metric names, units and dimension sets are a contract with the alarms and dashboard
 * in lib/ — docs/observability.md lists them.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DEFAULT_METRICS_DETAIL, DEFAULT_SLOW_REQUEST_MS, REQUEST_DIMENSIONS, type MetricsDetail } from '../../config.ts';
import type { FailureObservation, IntegrityObservation, RequestObservation, SealRunObservation, Telemetry } from '../../core/ports.ts';

export const METRICS_NAMESPACE = 'Corridor';
/** Powertools adds it as the `service` dimension of every metric and the `service` key of every log line. */
export const SERVICE_NAME = 'corridor';

/**
 * Metric names. Those with only the `service` dimension back alarms; `Requests`/`LatencyMs` add `decision`, and `action`
 * too with the `action` metrics detail (see MetricsDetail in config.ts).
 */
export const METRIC = {
  requests: 'Requests',
  latency: 'LatencyMs',
  auditWriteFailures: 'AuditWriteFailures',
  integrityFailures: 'IntegrityFailures',
  sealLag: 'SealLagSeconds',
  dataKeyCacheHits: 'DataKeyCacheHits',
  dataKeyCacheMisses: 'DataKeyCacheMisses',
} as const;

type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];
type Datum = readonly [name: string, unit: MetricUnitValue, value: number];

/** The running counters of a PayloadCipher (its `stats`): every miss is one KMS call. */
export interface CipherCounters { readonly cacheHits: number; readonly kmsGenerate: number; readonly kmsDecrypt: number }

export class PowertoolsTelemetry implements Telemetry {
  private reported = { hits: 0, misses: 0 };

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly tracer?: Tracer,
    /** How finely request metrics are dimensioned (each dimension-value combination is a billed custom metric). */
    readonly detail: MetricsDetail = DEFAULT_METRICS_DETAIL,
    /** Successful requests at least this slow are logged too (SLOW_REQUEST_MS_ENV). */
    readonly slowMs: number = DEFAULT_SLOW_REQUEST_MS,
  ) {}

  requestCompleted(o: RequestObservation): void {
    // One line per denial, error or slow request; a plain success is only counted (the metrics below, the audit event).
    if (o.decision === 'deny' || o.status >= 500 || o.durationMs >= this.slowMs) this.logger.info('request', { ...o });
    // With the `decision` detail the action is a property of the document, not a dimension: CloudWatch bills no
    // metric per action, and Logs Insights can still group the documents by it.
    const dimensions: Record<string, string> = {};
    const properties: Record<string, string> = {};
    for (const [k, v] of [['action', o.action], ['decision', o.decision]] as const) {
      (REQUEST_DIMENSIONS[this.detail].includes(k) ? dimensions : properties)[k] = v;
    }
    this.emit(dimensions, [
      [METRIC.requests, MetricUnit.Count, 1],
      [METRIC.latency, MetricUnit.Milliseconds, o.durationMs],
    ], properties);
    // Annotations are indexed for trace search: ids and codes only, like the log line.
    if (this.tracer?.isTracingEnabled()) {
      this.tracer.putAnnotation('action', o.action);
      this.tracer.putAnnotation('decision', o.decision);
      this.tracer.putAnnotation('status', o.status);
      if (o.code) this.tracer.putAnnotation('code', o.code);
    }
  }

  auditWriteFailed(o: FailureObservation): void {
    this.logger.error('audit write failed', { ...o });
    this.emit({}, [[METRIC.auditWriteFailures, MetricUnit.Count, 1]]);
  }

  dependencyFailed(o: FailureObservation): void {
    this.logger.error('dependency failed', { ...o });
  }

  integrityFailed(o: IntegrityObservation): void {
    this.logger.error('integrity check failed', { ...o });
    this.emit({}, [[METRIC.integrityFailures, MetricUnit.Count, 1]]);
  }

  sealRun(o: SealRunObservation): void {
    this.logger.info('seal run', { ...o });
    this.emit({}, [[METRIC.sealLag, MetricUnit.Seconds, o.lagSeconds]]);
  }

  /**
   * The data-key cache use since the last report, from the cipher's own counters (the core
   * counts; the handler wrapper reports once per invocation, so a hot path costs no log line).
   */
  dataKeyCache(counters: CipherCounters): void {
    const now = { hits: counters.cacheHits, misses: counters.kmsGenerate + counters.kmsDecrypt };
    const hits = now.hits - this.reported.hits;
    const misses = now.misses - this.reported.misses;
    this.reported = now;
    if (hits === 0 && misses === 0) return;
    this.emit({}, [
      [METRIC.dataKeyCacheHits, MetricUnit.Count, hits],
      [METRIC.dataKeyCacheMisses, MetricUnit.Count, misses],
    ]);
  }

  /**
   * One EMF document per call, published at once: its dimension set is exactly `service` plus
   * `dimensions` (its extra members exactly `properties`), never another call's, even when
   * requests interleave in one process (`npm start`), and nothing stays buffered if the invocation ends abruptly.
   */
  private emit(dimensions: Record<string, string>, data: readonly Datum[], properties: Record<string, string> = {}): void {
    if (Object.keys(dimensions).length > 0) this.metrics.addDimensions(dimensions);
    for (const [key, value] of Object.entries(properties)) this.metrics.addMetadata(key, value);
    for (const [name, unit, value] of data) this.metrics.addMetric(name, unit, value);
    this.metrics.publishStoredMetrics();
  }
}
