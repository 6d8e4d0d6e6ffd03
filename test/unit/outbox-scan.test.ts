// DynamoDbOutboxScan (the Scan behind `corridor notifications refan`): follows LastEvaluatedKey to the end, asks
// DynamoDB only for outbox items in [since, until), hands back each item's key and decoded attributes, and turns a
// failed page into a DependencyError (which the command answers with exit 3).
import { ScanCommand, type DynamoDBClient, type ScanCommandInput, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbOutboxScan } from '../../lambdas/adapters/aws/outbox-scan.ts';
import { DependencyError } from '../../lambdas/core/errors.ts';

const range = { since: '2026-11-22T08:00:00.000Z', until: '2026-11-22T09:00:00.000Z' };
const item = (n: number) => ({ pk: { S: `OUTBOX#ev-${n}` }, owner: { S: 'DE-BAFA' }, ts: { S: `2026-11-22T08:0${n}:00.000Z` }, notices: { B: new Uint8Array([n]) } });

function fakeClient(pages: (Partial<ScanCommandOutput> | Error)[]): { client: DynamoDBClient; inputs: ScanCommandInput[] } {
  const inputs: ScanCommandInput[] = [];
  const client = {
    send: async (c: ScanCommand) => {
      inputs.push(c.input);
      const p = pages.shift()!;
      if (p instanceof Error) throw p;
      return p;
    },
  } as unknown as DynamoDBClient;
  return { client, inputs };
}

const all = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('DynamoDbOutboxScan', () => {
  it('reads every page, filtered to outbox items of the range, each as key and attributes', async () => {
    const { client, inputs } = fakeClient([
      { Items: [item(1)], LastEvaluatedKey: { pk: { S: 'ev-zzz' } } },
      { Items: [], LastEvaluatedKey: { pk: { S: 'ev-zzzz' } } }, // a page the filter emptied still continues
      { Items: [item(2)] },
    ]);
    const got = await all(new DynamoDbOutboxScan(client, 'audit-table').items(range));
    expect(got).toEqual([
      { pk: 'OUTBOX#ev-1', attrs: { owner: 'DE-BAFA', ts: '2026-11-22T08:01:00.000Z', notices: new Uint8Array([1]) } },
      { pk: 'OUTBOX#ev-2', attrs: { owner: 'DE-BAFA', ts: '2026-11-22T08:02:00.000Z', notices: new Uint8Array([2]) } },
    ]);
    expect(inputs.map((i) => i.ExclusiveStartKey)).toEqual([undefined, { pk: { S: 'ev-zzz' } }, { pk: { S: 'ev-zzzz' } }]);
    expect(inputs[0]).toMatchObject({
      TableName: 'audit-table',
      FilterExpression: 'begins_with(#pk, :prefix) AND #ts >= :since AND #ts < :until',
      ExpressionAttributeValues: { ':prefix': { S: 'OUTBOX#' }, ':since': { S: range.since }, ':until': { S: range.until } },
    });
  });

  it('a failed page is a DependencyError of dynamodb, after the items already read', async () => {
    const { client } = fakeClient([{ Items: [item(1)], LastEvaluatedKey: { pk: { S: 'x' } } }, Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' })]);
    const seen: string[] = [];
    const run = async () => { for await (const i of new DynamoDbOutboxScan(client, 't').items(range)) seen.push(i.pk); };
    const e = await run().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DependencyError);
    expect((e as DependencyError).dependency).toBe('dynamodb');
    expect(seen).toEqual(['OUTBOX#ev-1']);
  });
});
