/**
 * Local mode's stand-in for the two event source mappings of the deployed stack (protocol.md §8, §10): one loop
 * reads the audit table's stream on moto and hands outbox inserts to the notifier handler, another receives from
 * the delivery queue and hands messages to the delivery handler — the same handler modules Lambda runs, with the
 * same partial-batch contract (a failed stream record is read again; a failed message stays on the queue and comes
 * back after its visibility timeout, and moves to the dead-letter queue after maxReceiveCount receives).
 *
 * A fresh shard iterator every poll: moto replaces a table object (its stream shard included) when it rolls back a
 * transaction, and an iterator made earlier would go on reading the old one.
 */
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, SQSBatchResponse } from 'aws-lambda';
import { NOTIFY_QUEUE } from '../definitions.ts';
import type { StreamRecordLike } from '../handlers/stream-image.ts';
import type { QueueMessageLike } from '../handlers/notify-batches.ts';

export interface PollerOptions {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  auditTable: string;
  queueUrl: string;
  /**
   * The consumers of the audit stream, each reading it on its own (its own position, its own failures), as each event
   * source mapping does in AWS: the notifier today; the stream sealer of the audit-stream design is a second entry.
   */
  stream: readonly StreamConsumer[];
  deliver: (messages: readonly QueueMessageLike[]) => Promise<SQSBatchResponse>;
  /** Polling interval while there is work; it backs off to idleMs when there is none. */
  busyMs?: number;
  idleMs?: number;
  /** How long a received message stays hidden before SQS hands it out again (default the queue's, 180 s; tests shorten it). */
  visibilitySeconds?: number;
  onError?: (e: unknown) => void;
}

export type StreamConsumer = (records: readonly StreamRecordLike[]) => Promise<DynamoDBBatchResponse>;

export interface Poller { stop(): Promise<void> }

/** Runs `step` until stopped: again after busyMs when it did work, after idleMs when it found none. */
function loop(step: () => Promise<boolean>, busyMs: number, idleMs: number, onError: (e: unknown) => void): { stop(): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const running = (async () => {
    while (!stopped) {
      let worked = false;
      try {
        worked = await step();
      } catch (e) {
        onError(e);
      }
      if (stopped) break;
      await new Promise<void>((r) => {
        const t = setTimeout(r, worked ? busyMs : idleMs);
        wake = () => { clearTimeout(t); r(); };
      });
    }
  })();
  return { stop: async () => { stopped = true; wake?.(); await running; } };
}

export async function startNotificationPoller(opts: PollerOptions): Promise<Poller> {
  const busyMs = opts.busyMs ?? 50;
  const idleMs = opts.idleMs ?? 250;
  const onError = opts.onError ?? (() => {});
  const table = await opts.dynamodb.send(new DescribeTableCommand({ TableName: opts.auditTable }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${opts.auditTable} has no stream`);
  const described = await opts.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = described.StreamDescription?.Shards?.[0]?.ShardId;
  if (!shardId) throw new Error('the audit stream has no shard');
  /** One consumer's reader: a fresh iterator after its own last processed record, every poll. */
  const streamReader = (consume: StreamConsumer) => {
    let after: string | undefined;
    return async (): Promise<boolean> => {
      const it = await opts.streams.send(new GetShardIteratorCommand({
        StreamArn: streamArn, ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }));
      const out = await opts.streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator!, Limit: 100 }));
      const records = (out.Records ?? []) as (_Record & StreamRecordLike)[];
      if (records.length === 0) return false;
      const { batchItemFailures } = await consume(records);
      const failedAt = batchItemFailures.length ? records.findIndex((r) => r.dynamodb?.SequenceNumber === batchItemFailures[0]!.itemIdentifier) : -1;
      // As Lambda does with a reported failure: everything from the failed record on is read again.
      const done = failedAt < 0 ? records : records.slice(0, failedAt);
      if (done.length) after = done.at(-1)!.dynamodb!.SequenceNumber!;
      return failedAt !== 0;
    };
  };

  const readQueue = async (): Promise<boolean> => {
    const out = await opts.sqs.send(new ReceiveMessageCommand({
      QueueUrl: opts.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: opts.visibilitySeconds ?? NOTIFY_QUEUE.visibilityTimeoutSeconds,
    }));
    const messages = (out.Messages ?? []).map((m) => ({ messageId: m.MessageId!, body: m.Body ?? '', receiptHandle: m.ReceiptHandle! }));
    if (messages.length === 0) return false;
    const { batchItemFailures } = await opts.deliver(messages);
    const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.messageId));
    if (done.length) {
      await opts.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: opts.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })) }));
    }
    return true;
  };

  const loops = [...opts.stream.map((c) => loop(streamReader(c), busyMs, idleMs, onError)), loop(readQueue, busyMs, idleMs, onError)];
  return { stop: async () => { await Promise.all(loops.map((l) => l.stop())); } };
}

export { DynamoDBStreamsClient };
