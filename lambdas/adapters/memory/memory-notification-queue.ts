/** In-memory NotificationQueue for unit tests: messages in order, each with its delay and when it becomes visible (as SQS would show it). */
import type { DeliveryMessage, NotificationQueue } from '../../core/notifications/queue.ts';

export interface QueuedMessage { body: DeliveryMessage; delaySeconds: number; visibleAt: number }

export class MemoryNotificationQueue implements NotificationQueue {
  readonly messages: QueuedMessage[] = [];
  failWith: Error | null = null;

  constructor(private readonly now: () => number = () => 0) {}

  async send(messages: readonly { body: DeliveryMessage; delaySeconds: number }[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    const at = this.now();
    this.messages.push(...messages.map((m) => ({ body: { ...m.body }, delaySeconds: m.delaySeconds, visibleAt: at + m.delaySeconds * 1000 })));
  }

  /** The message SQS would hand out next (the earliest visible), removed from the queue. */
  next(): QueuedMessage | undefined {
    if (this.messages.length === 0) return undefined;
    let i = 0;
    this.messages.forEach((m, j) => { if (m.visibleAt < this.messages[i]!.visibleAt) i = j; });
    return this.messages.splice(i, 1)[0];
  }
}
