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
import { mergeLatency, type LatencyHistogram, type RequestAggregate } from '../../core/request-metrics.ts';

export const METRICS_NAMESPACE = 'Corridor';
/** Powertools adds it as the `service` dimension of every metric and the `service` key of every log line. */
export const SERVICE_NAME = 'corridor';

/**
 * Metric names. Those with only the `service` dimension back alarms; `Requests`/`LatencyMs` add `decision`, and `action`
 * too with the `action` metrics detail (see MetricsDetail in config.ts). `Requests`/`LatencyMs` are published by the
 * audit stream's consumer (requestsAggregated), one document per batch and dimension values, not by the API handlers.
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

/** Data-key cache hits without a miss are reported at most this often per container (one EMF document). */
export const DATA_KEY_REPORT_INTERVAL_MS = 60_000;

type MetricUnitValue = (typeof MetricUnit)[keyof typeof MetricUnit];
type Datum = readonly [name: string, unit: MetricUnitValue, value: number];

/** The running counters of a PayloadCipher (its `stats`): every miss is one KMS call. */
export interface CipherCounters { readonly cacheHits: number; readonly kmsGenerate: number; readonly kmsDecrypt: number }

export class PowertoolsTelemetry implements Telemetry {
  private reported = { hits: 0, misses: 0 };
  private reportedAtMs = Number.NEGATIVE_INFINITY;

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
    // One line per denial, error or slow request; a plain success is only counted, from its audit event. No metric
    // here: Requests and LatencyMs come from the audit stream (requestsAggregated), one document per batch. A request
    // that wrote no event (a 503 whose audit write failed) is no Request there; AuditWriteFailures counts it.
    if (o.decision === 'deny' || o.status >= 500 || o.durationMs >= this.slowMs) this.logger.info('request', { ...o });
    // Annotations are indexed for trace search: ids and codes only, like the log line.
    if (this.tracer?.isTracingEnabled()) {
      this.tracer.putAnnotation('action', o.action);
      this.tracer.putAnnotation('decision', o.decision);
      this.tracer.putAnnotation('status', o.status);
      if (o.code) this.tracer.putAnnotation('code', o.code);
    }
  }

  /**
   * One EMF document per distinct dimension values of the batch: with the `decision` detail at most two (allow, deny),
   * every action's requests merged, their counts per action a plain `actions` member (no metric is billed per action,
   * and Logs Insights still reads it); with `action` one per action and decision. One document cannot carry two
   * values of a dimension, so this is the fewest. `LatencyMs` is a histogram (Values/Counts with the exact Min, Max,
   * Count and Sum, at most 100 values: aggregateRequests bins them), the form AWS's own EMF library
   * (aws-embedded-metrics) writes for a distribution: CloudWatch takes its percentiles from the Values and Counts.
   */
  requestsAggregated(aggregates: readonly RequestAggregate[]): void {
    const docs = new Map<string, { dimensions: Record<string, string>; parts: RequestAggregate[] }>();
    for (const a of aggregates) {
      if (a.count === 0) continue;
      const dimensions: Record<string, string> = {};
      for (const k of REQUEST_DIMENSIONS[this.detail]) dimensions[k] = a[k];
      const key = JSON.stringify(dimensions);
      const doc = docs.get(key) ?? { dimensions, parts: [] };
      doc.parts.push(a);
      docs.set(key, doc);
    }
    for (const { dimensions, parts } of docs.values()) {
      const latency = parts.length === 1 ? parts[0]!.latency : mergeLatency(parts.map((p) => p.latency));
      const actions = 'action' in dimensions ? undefined : Object.fromEntries(parts.map((p) => [p.action, p.count]));
      this.emitDistribution(dimensions, latency, actions);
    }
  }

  auditWriteFailed(o: FailureObservation): void {
    this.logger.error('audit write failed', { ...o });
    this.emit([[METRIC.auditWriteFailures, MetricUnit.Count, 1]]);
  }

  dependencyFailed(o: FailureObservation): void {
    this.logger.error('dependency failed', { ...o });
  }

  integrityFailed(o: IntegrityObservation): void {
    this.logger.error('integrity check failed', { ...o });
    this.emit([[METRIC.integrityFailures, MetricUnit.Count, 1]]);
  }

  sealRun(o: SealRunObservation): void {
    this.logger.info('seal run', { ...o });
    this.emit([[METRIC.sealLag, MetricUnit.Seconds, o.lagSeconds]]);
  }

  /**
   * The data-key cache use since the last report, from the cipher's own counters (the core counts; the handler wrapper
   * calls this after every invocation). A miss (a KMS call) is reported at once; hits alone at most once per
   * DATA_KEY_REPORT_INTERVAL_MS per container, so a hot path prints no document per request (it was 282 bytes of log
   * per plain success). Hits of a container's last interval are lost when Lambda retires it (a hit ratio slightly low).
   */
  dataKeyCache(counters: CipherCounters, nowMs: number = Date.now()): void {
    const now = { hits: counters.cacheHits, misses: counters.kmsGenerate + counters.kmsDecrypt };
    const hits = now.hits - this.reported.hits;
    const misses = now.misses - this.reported.misses;
    if (misses === 0 && (hits === 0 || nowMs - this.reportedAtMs < DATA_KEY_REPORT_INTERVAL_MS)) return;
    this.reported = now;
    this.reportedAtMs = nowMs;
    this.emit([
      [METRIC.dataKeyCacheHits, MetricUnit.Count, hits],
      [METRIC.dataKeyCacheMisses, MetricUnit.Count, misses],
    ]);
  }

  /**
   * One document with `Requests` (the count) and `LatencyMs` (the histogram). Powertools Metrics takes numbers only,
   * so it serializes the document (namespace, the `service` and given dimensions, timestamp) with the mean as a
   * stand-in value, and the histogram replaces that value; the line goes to stdout as Powertools prints its own.
   */
  private emitDistribution(dimensions: Record<string, string>, h: LatencyHistogram, actions?: Record<string, number>): void {
    if (metricsDisabled(this.metrics)) return;
    let doc: Record<string, unknown>;
    try {
      this.metrics.addDimensions(dimensions);
      this.metrics.addMetric(METRIC.requests, MetricUnit.Count, h.count);
      this.metrics.addMetric(METRIC.latency, MetricUnit.Milliseconds, h.sum / h.count);
      doc = { ...this.metrics.serializeMetrics() };
    } finally {
      this.metrics.clearMetrics();
      this.metrics.clearDimensions();
      this.metrics.clearMetadata();
    }
    if (actions) doc.actions = actions;
    doc[METRIC.latency] = { Values: h.values, Counts: h.counts, Max: h.max, Min: h.min, Count: h.count, Sum: h.sum };
    process.stdout.write(`${JSON.stringify(doc)}\n`);
  }

  /**
   * One EMF document per call, published at once: its dimension set is exactly `service`, never another call's, even
   * when requests interleave in one process (`npm start`), and nothing stays buffered if the invocation ends abruptly.
   */
  private emit(data: readonly Datum[]): void {
    for (const [name, unit, value] of data) this.metrics.addMetric(name, unit, value);
    this.metrics.publishStoredMetrics();
  }
}

/** Whether Powertools would print nothing (POWERTOOLS_METRICS_DISABLED, or its dev mode), as its own publish checks. */
function metricsDisabled(metrics: Metrics): boolean {
  return (metrics as unknown as { isDisabled(): boolean }).isDisabled();
}
