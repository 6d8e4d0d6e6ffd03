// The bench's capacity meter (bench/capacity.ts) bills reads as DynamoDB on-demand does: 1 RRU per
// 4 KB strongly consistent, ½ eventually consistent — DynamoDB's default when ConsistentRead is
// not true, and always for a GSI query — each BatchGetItem item rounded up on its own, per table.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { CapacityMeter, itemSize } from '../../bench/capacity.ts';
import { TABLES } from '../../lambdas/definitions.ts';

const meter = new CapacityMeter(Object.fromEntries(TABLES.map((t) => [t.id, t])));
/** An item of exactly `bytes` bytes as DynamoDB sizes it. */
const item = (pk: string, bytes: number): Record<string, AttributeValue> => {
  const base = { pk: { S: pk }, d: { S: '' } };
  return { ...base, d: { S: 'x'.repeat(bytes - itemSize(base)) } };
};
const rru = (command: string, input: unknown, output: unknown): number => meter.units(command, input, output).rru;

describe('read capacity', () => {
  it('GetItem of a 5 KB item: 2 RRU consistent, 1 eventually consistent (also when ConsistentRead is left out)', () => {
    const out = { Item: item('a', 5000) };
    expect(rru('GetItemCommand', { TableName: 'documents', ConsistentRead: true }, out)).toBe(2);
    expect(rru('GetItemCommand', { TableName: 'documents', ConsistentRead: false }, out)).toBe(1);
    expect(rru('GetItemCommand', { TableName: 'documents' }, out)).toBe(1);
    expect(rru('GetItemCommand', { TableName: 'documents', ConsistentRead: false }, {})).toBe(0.5); // nothing found still reads
  });

  it('Query: the items\' total per 4 KB, halved when eventually consistent or on an index', () => {
    const out = { Items: [item('a', 3000), item('b', 3000)] };
    expect(rru('QueryCommand', { TableName: 'documents', ConsistentRead: true }, out)).toBe(2);
    expect(rru('QueryCommand', { TableName: 'documents', ConsistentRead: false }, out)).toBe(1);
    expect(rru('QueryCommand', { TableName: 'audit', IndexName: 'byTime' }, out)).toBe(1);
    expect(rru('QueryCommand', { TableName: 'documents', ConsistentRead: true }, { Items: [item('c', 1000)] })).toBe(1);
    expect(rru('QueryCommand', { TableName: 'documents', ConsistentRead: false }, { Items: [item('c', 1000)] })).toBe(0.5);
  });

  it('BatchGetItem: each item rounded up to 4 KB, by the consistency asked for its table', () => {
    const input = { RequestItems: { audit: { Keys: [], ConsistentRead: true }, registry: { Keys: [] } } };
    const output = { Responses: { audit: [item('a', 100), item('b', 4100)], registry: [item('c', 100), item('d', 100)] } };
    expect(rru('BatchGetItemCommand', input, output)).toBe(1 + 2 + 0.5 + 0.5);
  });
});
