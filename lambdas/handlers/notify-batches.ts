/**
 * The batch contracts of the two notification functions, apart from their runtimes so the local poller and tests
 * can drive them with their own services: a stream batch (outbox inserts fanned out in order; the first failure
 * reported, so the records from it on come again) and a queue batch (each message one delivery attempt, all at
 * once; each failure reported alone, so only that message comes back after its visibility timeout).
 */
import type { DynamoDBBatchResponse, SQSBatchResponse } from 'aws-lambda';
import { failureOf } from '../core/errors.ts';
import { deliver, type DeliveryDeps } from '../core/notifications/delivery.ts';
import { fanOut, type FanOutDeps } from '../core/notifications/fan-out.ts';
import { OUTBOX_PREFIX } from '../core/notifications/outbox.ts';
import { isDeliveryMessage } from '../core/notifications/queue.ts';
import { imageOf, isInsertWithKeyPrefix, type StreamRecordLike } from './stream-image.ts';

export interface QueueMessageLike { messageId: string; body: string }

export function streamBatch(deps: FanOutDeps) {
  return async (records: readonly StreamRecordLike[]): Promise<DynamoDBBatchResponse> => {
    for (const record of records) {
      if (!isInsertWithKeyPrefix(record, OUTBOX_PREFIX)) continue;
      try {
        await fanOut(deps, imageOf(record));
      } catch (e) {
        deps.services.telemetry.dependencyFailed({ action: 'notification.fanout', ...failureOf(e) });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

export function queueBatch(deps: DeliveryDeps) {
  return async (messages: readonly QueueMessageLike[]): Promise<SQSBatchResponse> => {
    const failed: { itemIdentifier: string }[] = [];
    await Promise.all(messages.map(async (m) => {
      let body: unknown;
      try {
        body = JSON.parse(m.body);
      } catch {
        body = null;
      }
      if (!isDeliveryMessage(body)) {
        deps.services.telemetry.dependencyFailed({ action: 'notification.deliver', dependency: 'sqs', errorClass: 'MalformedMessage' });
        return; // never retried: no receive can make it well-formed
      }
      try {
        await deliver(deps, body);
      } catch (e) {
        deps.services.telemetry.dependencyFailed({ action: 'notification.deliver', ...failureOf(e) });
        failed.push({ itemIdentifier: m.messageId });
      }
    }));
    return { batchItemFailures: failed };
  };
}
