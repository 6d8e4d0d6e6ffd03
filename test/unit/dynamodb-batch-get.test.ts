// DynamoDbStore.getMany: BatchGetItem in chunks of 100 with ConsistentRead (the sealer reads back
// what the lagging `pending` index lists), unprocessed keys resent until read, and a dependency
// failure (never a silently shorter answer) when DynamoDB keeps handing them back.
import { BatchGetItemCommand, DynamoDBClient, type BatchGetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/aws/dynamodb-store.ts';
import { DependencyError } from '../../lambdas/core/errors.ts';
import type { TableId } from '../../lambdas/core/ports.ts';
import { TABLES } from '../../lambdas/definitions.ts';

const ddb = mockClient(DynamoDBClient);
// each table named by its first letter: the audit table is 'a'
const store = new DynamoDbStore(new DynamoDBClient({ region: 'eu-central-1' }), Object.fromEntries(TABLES.map((t) => [t.id, t.id[0]])) as Record<TableId, string>);
const keys = (n: number): { pk: string }[] => Array.from({ length: n }, (_, i) => ({ pk: `ev-${i}` }));
const item = (pk: string) => ({ pk: { S: pk }, pending: { S: 'P#0' }, leafIndex: { N: '3' } });
const requested = (): BatchGetItemCommandInput['RequestItems'][] => ddb.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input.RequestItems);

beforeEach(() => ddb.reset());

describe('getMany on DynamoDB', () => {
  it('250 keys → 3 consistent BatchGetItem requests of at most 100; the items found, decoded', async () => {
    ddb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => ({ Responses: { a: input.RequestItems!.a!.Keys!.filter((k) => k.pk!.S !== 'ev-7').map((k) => item(k.pk!.S!)) } }));
    const found = await store.getMany('audit', keys(250));
    expect(requested().map((r) => [r!.a!.Keys!.length, r!.a!.ConsistentRead])).toEqual([[100, true], [100, true], [50, true]]);
    expect(found).toHaveLength(249); // ev-7 does not exist
    expect(found[0]).toEqual({ table: 'audit', pk: 'ev-0', attrs: { pending: 'P#0', leafIndex: 3 } });
  });

  it('unprocessed keys are resent (consistently) until DynamoDB reads them', async () => {
    ddb.on(BatchGetItemCommand)
      .resolvesOnce({ Responses: { a: [item('ev-0')] }, UnprocessedKeys: { a: { Keys: [{ pk: { S: 'ev-1' } }], ConsistentRead: true } } })
      .resolves({ Responses: { a: [item('ev-1')] } });
    expect((await store.getMany('audit', keys(2))).map((r) => r.pk)).toEqual(['ev-0', 'ev-1']);
    expect(requested()[1]).toEqual({ a: { Keys: [{ pk: { S: 'ev-1' } }], ConsistentRead: true } });
  });

  it('keys still unprocessed after the last attempt are a dependency failure', async () => {
    ddb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => ({ Responses: { a: [] }, UnprocessedKeys: input.RequestItems }));
    await expect(store.getMany('audit', keys(2))).rejects.toBeInstanceOf(DependencyError);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(6);
  });
});
