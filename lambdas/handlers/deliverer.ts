/**
 * Lambda on the notification delivery queue (SQS): each message is one delivery attempt (core/notifications/
 * delivery.ts), all of a batch at once (each waits at most 5 s for its endpoint). A message whose handling failed
 * (store, KMS or queue unavailable) is reported and comes back after the visibility timeout; after five receives it
 * moves to the dead-letter queue, which alarms. A refusing endpoint is not a failure here: its retry is a message.
 */
import type { SQSEvent } from 'aws-lambda';
import { queueBatch } from './notify-batches.ts';
import { notifyRuntime } from './notify-runtime.ts';
import { observed } from './observed.ts';

export const deliverMessages = queueBatch(notifyRuntime());

export const handler = observed((event: SQSEvent) => deliverMessages(event.Records));
