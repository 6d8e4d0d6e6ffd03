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

export const handler = observed(async (event: unknown): Promise<DynamoDBBatchResponse | { seals: number; missed: number }> => {
  if (isStream(event)) return sealRecords(event.Records as StreamRecordLike[]);
  const r = await scheduledCheck(services, services.sealSigner);
  return { seals: r.seals.length, missed: r.missed };
});
