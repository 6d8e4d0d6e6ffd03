/**
 * The sealer Lambda, two invocations: its DynamoDB stream event source mapping (audit event inserts) hands it batches
 * to seal; an EventBridge rule runs the completeness check every minute, which reports SealLagSeconds.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { scheduledCheck } from '../core/sealer.ts';
import { observed } from './observed.ts';
import { runtimeServices } from './runtime.ts';
import { sealBatch } from './seal-batches.ts';
import type { StreamRecordLike } from './stream-image.ts';

const services = runtimeServices();
export const sealRecords = sealBatch(services, services.sealSigner);

const isStream = (event: unknown): event is DynamoDBStreamEvent => Array.isArray((event as { Records?: unknown } | null)?.Records);

/** Raised so Lambda retries the whole batch: the mapping takes no partial-batch report (seal-batches.ts, sealer-schedule.ts). */
export class StreamBatchNotSealed extends Error {
  constructor() {
    super('the stream batch was not sealed; it is retried whole from its first record');
    this.name = 'StreamBatchNotSealed';
  }
}

export const handler = observed(async (event: unknown): Promise<DynamoDBBatchResponse | { seals: number; missed: number }> => {
  if (isStream(event)) {
    const r = await sealRecords(event.Records as StreamRecordLike[]);
    // Without ReportBatchItemFailures on the mapping, a returned failure list would count as success: throw instead.
    if (r.batchItemFailures.length > 0) throw new StreamBatchNotSealed();
    return r;
  }
  const r = await scheduledCheck(services, services.sealSigner);
  return { seals: r.seals.length, missed: r.missed };
});
