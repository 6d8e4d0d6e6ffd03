/**
 * The Store's batch operations on DynamoDB: BatchGetItem (up to 100 keys, several tables, one
 * request) and BatchWriteItem (25 puts per request). Both may hand back part of the work as
 * unprocessed under throttling; that part is resent with capped exponential backoff, and
 * whatever is still left after the last attempt is a dependency failure (never silently lost).
 */
import { BatchGetItemCommand, BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, type KeysAndAttributes, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../core/errors.ts';
import type { RecordKey, StoredRecord, TableId } from '../../core/ports.ts';
import { toItem } from './attribute-codec.ts';

type Item = Record<string, AttributeValue>;
export type TableNames = Readonly<Record<TableId, string>>;

const GET_LIMIT = 100;
const PUT_LIMIT = 25;
const ATTEMPTS = 6;

export function keyItem(pk: string, sk?: string): Item {
  return sk === undefined ? { pk: { S: pk } } : { pk: { S: pk }, sk: { S: sk } };
}

const keyString = (tableName: string, pk: string, sk?: string): string => `${tableName}\u0000${pk}\u0000${sk ?? ''}`;

/** Full jitter on 25 ms · 2^attempt, capped at 1 s: unprocessed work is throttling, so back off. */
const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * Math.min(25 * 2 ** attempt, 1000)));

/** Items by key, strongly consistent; `null` where absent, in the order of `keys`. */
export async function batchGet(client: DynamoDBClient, tables: TableNames, keys: readonly RecordKey[]): Promise<(Item | null)[]> {
  const found = new Map<string, Item>();
  for (let i = 0; i < keys.length; i += GET_LIMIT) {
    let request: Record<string, KeysAndAttributes> = {};
    for (const k of keys.slice(i, i + GET_LIMIT)) {
      const name = tables[k.table];
      (request[name] ??= { Keys: [], ConsistentRead: true }).Keys!.push(keyItem(k.pk, k.sk));
    }
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt === ATTEMPTS) throw new DependencyError('dynamodb', new Error('BatchGetItem left keys unprocessed'));
      if (attempt > 0) await backoff(attempt);
      let out;
      try {
        out = await client.send(new BatchGetItemCommand({ RequestItems: request }));
      } catch (e) {
        throw new DependencyError('dynamodb', e);
      }
      for (const [name, items] of Object.entries(out.Responses ?? {})) {
        for (const item of items) found.set(keyString(name, item.pk!.S!, item.sk?.S), item);
      }
      request = out.UnprocessedKeys ?? {};
    }
  }
  return keys.map((k) => found.get(keyString(tables[k.table], k.pk, k.sk)) ?? null);
}

/** Unconditional puts, 25 per request; a failure may leave earlier chunks written. */
export async function batchPut(client: DynamoDBClient, tables: TableNames, records: readonly StoredRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += PUT_LIMIT) {
    let request: Record<string, WriteRequest[]> = {};
    for (const r of records.slice(i, i + PUT_LIMIT)) {
      (request[tables[r.table]] ??= []).push({ PutRequest: { Item: { ...keyItem(r.pk, r.sk), ...toItem(r.attrs) } } });
    }
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt === ATTEMPTS) throw new DependencyError('dynamodb', new Error('BatchWriteItem left items unprocessed'));
      if (attempt > 0) await backoff(attempt);
      let out;
      try {
        out = await client.send(new BatchWriteItemCommand({ RequestItems: request }));
      } catch (e) {
        throw new DependencyError('dynamodb', e);
      }
      request = out.UnprocessedItems ?? {};
    }
  }
}
