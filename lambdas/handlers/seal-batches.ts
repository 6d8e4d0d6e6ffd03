/**
 * The stream sealer's batch contract, apart from its runtime so the local poller and tests drive it with their own
 * services: the audit events among the batch's inserts (the event source mapping's filter, applied again here so the
 * local poller, which reads every record, behaves alike) are sealed in stream order (core/stream-sealer.ts). A failure
 * reports the batch's first record, so the whole batch comes again; what was sealed before the failure is skipped by
 * its marker. Once sealed, the batch's request metrics (count and latency per action and decision) go out as one EMF
 * document per dimension set (core/request-metrics.ts): the API functions print none per request.
 */
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { malformedItems, sealableStoredEvent } from '../core/audit.ts';
import { failureOf } from '../core/errors.ts';
import { aggregateRequests } from '../core/request-metrics.ts';
import type { SealSigner } from '../core/ports.ts';
import type { CoreServices } from '../core/services.ts';
import { sealStreamBatch, type StreamedEvent } from '../core/stream-sealer.ts';
import { imageOf, isInsertWithKeyPrefix, writtenAt, type StreamRecordLike } from './stream-image.ts';

/** Audit event ids (core/audit.ts): accepted requests, refusals and the exchange's own events alike. */
export const EVENT_PREFIX = 'ev-';

export function sealBatch(services: CoreServices, signer: SealSigner) {
  return async (records: readonly StreamRecordLike[]): Promise<DynamoDBBatchResponse> => {
    const events: StreamedEvent[] = [];
    const malformed: string[] = [];
    for (const record of records) {
      if (!isInsertWithKeyPrefix(record, EVENT_PREFIX)) continue;
      const { pk, attrs } = imageOf(record);
      if (typeof attrs.event !== 'string') continue;
      const event = sealableStoredEvent(pk, attrs);
      // An item no seal can take would otherwise fail the batch on every retry for a day and stop sealing behind it.
      if (!event) { malformed.push(pk); continue; }
      const at = writtenAt(record);
      events.push({ event, seq: record.dynamodb?.SequenceNumber ?? '0', ...(at !== undefined ? { writtenAt: at } : {}) });
    }
    // once per batch that went through, not again on each retry of a failing one
    const report = (): void => { if (malformed.length > 0) services.telemetry.integrityFailed(malformedItems('seal.stream', malformed)); };
    if (events.length === 0) { report(); return { batchItemFailures: [] }; }
    try {
      await sealStreamBatch(services, signer, events);
    } catch (e) {
      services.telemetry.dependencyFailed({ action: 'seal.stream', ...failureOf(e) });
      return { batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber ?? '' }] };
    }
    report();
    // after sealing, so a failed batch is counted once, when its retry succeeds
    const aggregates = aggregateRequests(events.map((e) => e.event));
    if (aggregates.length > 0) services.telemetry.requestsAggregated(aggregates);
    return { batchItemFailures: [] };
  };
}
