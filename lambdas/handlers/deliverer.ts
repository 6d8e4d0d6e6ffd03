/**
 * Lambda on the notification delivery queue (SQS): each message is one delivery attempt (core/notifications/
 * delivery.ts), all of a batch at once (each waits at most 5 s for its endpoint). A message whose handling failed
 * (store, KMS or queue unavailable) is reported and comes back after the visibility timeout; after five receives it
 * moves to the dead-letter queue, which alarms. A refusing endpoint is not a failure here: its retry is a message.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { failureOf } from '../core/errors.ts';
import { deliver } from '../core/notifications/delivery.ts';
import { isDeliveryMessage } from '../core/notifications/queue.ts';
import { notifyRuntime } from './notify-runtime.ts';
import { observed } from './observed.ts';

const deps = notifyRuntime();

export interface QueueMessageLike { messageId: string; body: string }

export async function deliverMessages(messages: readonly QueueMessageLike[]): Promise<SQSBatchResponse> {
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
}

export const handler = observed((event: SQSEvent) => deliverMessages(event.Records));
