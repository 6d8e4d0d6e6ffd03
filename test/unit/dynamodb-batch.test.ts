// DynamoDbStore.putMany: BatchWriteItem in chunks of 25, unprocessed items resent until written,
// and a dependency failure (never a silent loss) when DynamoDB keeps handing them back.
import { BatchWriteItemCommand, DynamoDBClient, type BatchWriteItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/aws/dynamodb-store.ts';
import { DependencyError } from '../../lambdas/core/errors.ts';
import type { StoredRecord } from '../../lambdas/core/ports.ts';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDbStore(new DynamoDBClient({ region: 'eu-central-1' }), { registry: 'r', documents: 'd', audit: 'a', notifications: 'n' });
const records = (n: number): StoredRecord[] => Array.from({ length: n }, (_, i) => ({ table: 'audit', pk: `ev-${i}`, attrs: { seq: 1, leafIndex: i } }));
const sentKeys = (): string[] => ddb.commandCalls(BatchWriteItemCommand).flatMap((c) => (c.args[0].input as BatchWriteItemCommandInput).RequestItems!.a!.map((w) => w.PutRequest!.Item!.pk!.S!));

beforeEach(() => ddb.reset());

describe('putMany on DynamoDB', () => {
  it('60 records → 3 BatchWriteItem requests of at most 25, every record once', async () => {
    ddb.on(BatchWriteItemCommand).resolves({});
    await store.putMany(records(60));
    const sizes = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems!.a!.length);
    expect(sizes).toEqual([25, 25, 10]);
    expect(sentKeys().sort()).toEqual(records(60).map((r) => r.pk).sort());
  });

  it('unprocessed items are resent until DynamoDB takes them', async () => {
    const chunk = records(3);
    ddb.on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { a: [{ PutRequest: { Item: { pk: { S: 'ev-2' }, seq: { N: '1' }, leafIndex: { N: '2' } } } }] } })
      .resolves({});
    await store.putMany(chunk);
    expect(sentKeys()).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-2']);
  });

  it('items still unprocessed after the last attempt are a dependency failure', async () => {
    ddb.on(BatchWriteItemCommand).callsFake((input: BatchWriteItemCommandInput) => ({ UnprocessedItems: input.RequestItems }));
    await expect(store.putMany(records(2))).rejects.toBeInstanceOf(DependencyError);
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(6);
  });
});
