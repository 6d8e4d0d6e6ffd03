// DynamoDbStore reads: GetItem and Query are strongly consistent unless the caller opts out with
// `{ consistent: false }` (ports.ts ReadOptions), which the partner reads of license.verify and
// euc.query do (partner-access.ts); drawdowns, publishes and every registry read do not.
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/aws/dynamodb-store.ts';
import type { TableId } from '../../lambdas/core/ports.ts';
import { TABLES } from '../../lambdas/definitions.ts';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDbStore(new DynamoDBClient({ region: 'eu-central-1' }), Object.fromEntries(TABLES.map((t) => [t.id, t.id])) as Record<TableId, string>);
const consistency = (command: 'get' | 'query'): (boolean | undefined)[] => (command === 'get'
  ? ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input.ConsistentRead)
  : ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ConsistentRead));

beforeEach(() => {
  ddb.reset();
  ddb.on(GetItemCommand).resolves({ Item: { pk: { S: 'AGENCY#DE-BAFA' }, sk: { S: 'PROFILE' }, status: { S: 'active' } } });
  ddb.on(QueryCommand).resolves({ Items: [{ pk: { S: 'LICENSE#DE-BAFA#L-1' }, sk: { S: 'CUR#HEAD' }, version: { N: '2' } }] });
});

describe('read consistency on DynamoDB', () => {
  it('GetItem: ConsistentRead true by default and with consistent: true, false only when opted out', async () => {
    await store.get('registry', 'AGENCY#DE-BAFA', 'PROFILE');
    await store.get('registry', 'AGENCY#DE-BAFA', 'PROFILE', { consistent: true });
    const rec = await store.get('registry', 'AGENCY#DE-BAFA', 'PROFILE', { consistent: false });
    expect(consistency('get')).toEqual([true, true, false]);
    expect(rec).toEqual({ table: 'registry', pk: 'AGENCY#DE-BAFA', sk: 'PROFILE', attrs: { status: 'active' } });
  });

  it('Query of a partition: ConsistentRead true by default, false only when opted out, on every page', async () => {
    ddb.on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: { S: 'P' }, sk: { S: 'CUR#BALANCE' } }], LastEvaluatedKey: { pk: { S: 'P' }, sk: { S: 'CUR#BALANCE' } } })
      .resolvesOnce({ Items: [{ pk: { S: 'P' }, sk: { S: 'CUR#HEAD' } }] })
      .resolves({ Items: [] });
    expect((await store.query('documents', 'P', 'CUR#', { consistent: false })).map((r) => r.sk)).toEqual(['CUR#BALANCE', 'CUR#HEAD']);
    await store.query('documents', 'P', 'CUR#');
    expect(consistency('query')).toEqual([false, false, true]);
  });

  it('partition pages stay strongly consistent (the list actions read their caller\'s own writes)', async () => {
    await store.queryPage('documents', { pk: 'LICENSE#DE-BAFA#L-1', skPrefix: 'DRAW#', limit: 10 });
    expect(consistency('query')).toEqual([true]);
  });
});
