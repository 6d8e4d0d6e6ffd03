// The delivery queue on moto as the local bootstrap creates it (lambdas/local/bootstrap.ts, like the stack): a message
// whose handling failed comes back after its visibility timeout and is handled then; one that keeps failing moves to
// the dead-letter queue after maxReceiveCount receives — never lost, never retried forever.
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClientConfig } from '../../lambdas/adapters/aws/aws-services.ts';
import { SqsNotificationQueue } from '../../lambdas/adapters/aws/sqs-notification-queue.ts';
import { awsClients } from '../../lambdas/adapters/aws/aws-services.ts';
import type { QueueMessageLike } from '../../lambdas/handlers/notify-batches.ts';
import { createQueues, createTables } from '../../lambdas/local/bootstrap.ts';
import { startMoto, type Emulator } from '../../lambdas/local/emulator.ts';
import { DynamoDBStreamsClient, startNotificationPoller, type Poller } from '../../lambdas/local/notification-poller.ts';
import { localTableName, NOTIFY_QUEUE, TABLES } from '../../lambdas/definitions.ts';

let moto: Emulator;
let sqs: SQSClient;
let streams: DynamoDBStreamsClient;
let queueUrl: string;
let dlqUrl: string;
const cfg = () => ({ region: 'eu-central-1', awsEndpoint: moto.endpoint });

beforeAll(async () => {
  moto = await startMoto();
  sqs = new SQSClient(sdkClientConfig(cfg()));
  streams = new DynamoDBStreamsClient(sdkClientConfig(cfg()));
  await createTables(awsClients(cfg()).dynamodb);
  queueUrl = (await createQueues(sqs))[NOTIFY_QUEUE.envVar]!;
  dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: NOTIFY_QUEUE.localDlqName }))).QueueUrl!;
}, 60_000);

afterAll(async () => {
  sqs?.destroy();
  streams?.destroy();
  await moto?.stop();
});

async function withPoller(deliver: (m: readonly QueueMessageLike[]) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>, until: () => Promise<boolean>): Promise<void> {
  const { dynamodb } = awsClients(cfg());
  const auditTable = localTableName(TABLES.find((t) => t.id === 'audit')!);
  const poller: Poller = await startNotificationPoller({ dynamodb, streams, sqs, auditTable, queueUrl, stream: [], deliver, busyMs: 20, idleMs: 50, visibilitySeconds: 1 });
  try {
    const end = Date.now() + 30_000;
    while (!(await until())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await poller.stop();
  }
}

const visible = async (url: string): Promise<number> => Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!.ApproximateNumberOfMessages);

describe('the delivery queue and its dead-letter queue on moto', () => {
  it('a failed message comes back and is handled on its next receive', async () => {
    await new SqsNotificationQueue(sqs, queueUrl).send([{ body: { v: 1, r: 'NL-DOUANE', s: 'N#x', n: 1, d: 0 }, delaySeconds: 0 }]);
    const calls: string[] = [];
    await withPoller(async (ms) => {
      calls.push(...ms.map((m) => m.messageId));
      return { batchItemFailures: calls.length === 1 ? [{ itemIdentifier: ms[0]!.messageId }] : [] };
    }, async () => calls.length >= 2 && (await visible(queueUrl)) === 0);
    expect(new Set(calls).size).toBe(1); // the same message, twice
    expect(await visible(dlqUrl)).toBe(0);
  });

  it(`one that keeps failing moves to the dead-letter queue after ${NOTIFY_QUEUE.maxReceiveCount} receives`, async () => {
    await new SqsNotificationQueue(sqs, queueUrl).send([{ body: { v: 1, r: 'NL-DOUANE', s: 'N#y', n: 1, d: 0 }, delaySeconds: 0 }]);
    let receives = 0;
    await withPoller(async (ms) => {
      receives += ms.length;
      return { batchItemFailures: ms.map((m) => ({ itemIdentifier: m.messageId })) };
    }, async () => (await visible(dlqUrl)) === 1);
    expect(receives).toBe(NOTIFY_QUEUE.maxReceiveCount);
    const parked = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
    expect(JSON.parse(parked.Messages![0]!.Body!)).toMatchObject({ s: 'N#y', n: 1 });
  });
});
