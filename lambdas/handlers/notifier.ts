/**
 * Lambda on the audit table's DynamoDB stream (filtered to outbox inserts by its event source mapping): each outbox
 * item becomes signed notifications, stored and queued (core/notifications/fan-out.ts). A failed record is reported
 * so Lambda retries from it; fanning out again is idempotent.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { failureOf } from '../core/errors.ts';
import { fanOut } from '../core/notifications/fan-out.ts';
import { OUTBOX_PREFIX } from '../core/notifications/outbox.ts';
import { notifyRuntime } from './notify-runtime.ts';
import { observed } from './observed.ts';
import { imageOf, isOutboxInsert, type StreamRecordLike } from './stream-image.ts';

const deps = notifyRuntime();

export async function notifyRecords(records: readonly StreamRecordLike[]): Promise<DynamoDBBatchResponse> {
  for (const record of records) {
    if (!isOutboxInsert(record, OUTBOX_PREFIX)) continue;
    try {
      await fanOut(deps, imageOf(record));
    } catch (e) {
      deps.services.telemetry.dependencyFailed({ action: 'notification.fanout', ...failureOf(e) });
      // In order: this record and every later one of the batch come again.
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}

export const handler = observed((event: DynamoDBStreamEvent) => notifyRecords(event.Records as StreamRecordLike[]));
