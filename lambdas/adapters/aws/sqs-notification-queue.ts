/** SqsNotificationQueue implements NotificationQueue: SendMessageBatch, ten messages per request, every failure a DependencyError. */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../../core/errors.ts';
import type { DeliveryMessage, NotificationQueue } from '../../core/notifications/queue.ts';

/** SendMessageBatch's own limit. */
const BATCH = 10;

export class SqsNotificationQueue implements NotificationQueue {
  constructor(private readonly client: SQSClient, private readonly queueUrl: string) {}

  async send(messages: readonly { body: DeliveryMessage; delaySeconds: number }[]): Promise<void> {
    for (let i = 0; i < messages.length; i += BATCH) {
      const batch = messages.slice(i, i + BATCH);
      try {
        const out = await this.client.send(new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((m, j) => ({ Id: String(j), MessageBody: JSON.stringify(m.body), DelaySeconds: m.delaySeconds })),
        }));
        // A partly refused batch is a failure of the whole call: the caller's retry sends again (duplicates are dropped by attempt number).
        if (out.Failed?.length) throw new Error(`${out.Failed.length} of ${batch.length} messages not queued`);
      } catch (e) {
        throw new DependencyError('sqs', e);
      }
    }
  }
}
