/** Telemetry for unit tests: keeps every observation the core reported, in order. */
import type { FailureObservation, IntegrityObservation, RequestObservation, SealRunObservation, Telemetry } from '../../core/ports.ts';
import type { RequestAggregate } from '../../core/request-metrics.ts';

export type TelemetryRecord =
  | ({ readonly kind: 'request' } & RequestObservation)
  | { readonly kind: 'requests-aggregated'; readonly aggregates: readonly RequestAggregate[] }
  | ({ readonly kind: 'audit-write-failed' } & FailureObservation)
  | ({ readonly kind: 'dependency-failed' } & FailureObservation)
  | ({ readonly kind: 'integrity-failed' } & IntegrityObservation)
  | ({ readonly kind: 'seal-run' } & SealRunObservation);

export class MemoryTelemetry implements Telemetry {
  readonly records: TelemetryRecord[] = [];

  /** `lines`, if given, also receives each record as one JSON line (what tests grep for leaks). */
  constructor(private readonly lines?: string[]) {}

  requestCompleted(o: RequestObservation): void {
    this.record({ kind: 'request', ...o });
  }

  requestsAggregated(aggregates: readonly RequestAggregate[]): void {
    this.record({ kind: 'requests-aggregated', aggregates });
  }

  auditWriteFailed(o: FailureObservation): void {
    this.record({ kind: 'audit-write-failed', ...o });
  }

  dependencyFailed(o: FailureObservation): void {
    this.record({ kind: 'dependency-failed', ...o });
  }

  integrityFailed(o: IntegrityObservation): void {
    this.record({ kind: 'integrity-failed', ...o });
  }

  sealRun(o: SealRunObservation): void {
    this.record({ kind: 'seal-run', ...o });
  }

  /** The records of one kind, typed. */
  of<K extends TelemetryRecord['kind']>(kind: K): Extract<TelemetryRecord, { kind: K }>[] {
    return this.records.filter((r): r is Extract<TelemetryRecord, { kind: K }> => r.kind === kind);
  }

  private record(r: TelemetryRecord): void {
    this.records.push(r);
    this.lines?.push(JSON.stringify(r));
  }
}
