/**
 * Lambda on the audit table's DynamoDB stream (filtered to outbox inserts by its event source mapping): each outbox
 * item becomes signed notifications, stored and queued (core/notifications/fan-out.ts). A failed record is reported
 * so Lambda retries from it; fanning out again is idempotent.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { streamBatch } from './notify-batches.ts';
import { notifyRuntime } from './notify-runtime.ts';
import { observed } from './observed.ts';
import type { StreamRecordLike } from './stream-image.ts';

export const notifyRecords = streamBatch(notifyRuntime());

export const handler = observed((event: DynamoDBStreamEvent) => notifyRecords(event.Records as StreamRecordLike[]));
