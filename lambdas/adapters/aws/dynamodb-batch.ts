/**
 * The Store's batch operations on DynamoDB: BatchWriteItem, 25 puts per request, and BatchGetItem,
 * 100 strongly consistent reads per request, chunks sent one after another (the sealer's marking
 * must not burst the audit indexes, docs/performance.md#scale). DynamoDB may hand back part of a
 * batch as unprocessed under throttling; that part is resent with capped exponential backoff, and
 * whatever is still left after the last attempt is a dependency failure (never silently lost).
 */
import { BatchGetItemCommand, BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, type KeysAndAttributes, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../core/errors.ts';
import type { StoredRecord, TableId } from '../../core/ports.ts';
import { fromAttribute, toItem } from './attribute-codec.ts';

type Item = Record<string, AttributeValue>;
type TableNames = Readonly<Record<TableId, string>>;

const PUT_LIMIT = 25;
const GET_LIMIT = 100;
const ATTEMPTS = 6;

function keyItem(pk: string, sk?: string): Item {
  return sk === undefined ? { pk: { S: pk } } : { pk: { S: pk }, sk: { S: sk } };
}

/** Full jitter on 25 ms · 2^attempt, capped at 1 s: unprocessed items mean throttling, so back off. */
const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * Math.min(25 * 2 ** attempt, 1000)));

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

/** Strongly consistent reads of up to 100 keys per request; the items that exist, in no particular order. */
export async function batchGet(client: DynamoDBClient, tables: TableNames, table: TableId, keys: readonly { pk: string; sk?: string }[]): Promise<StoredRecord[]> {
  const name = tables[table];
  const found: StoredRecord[] = [];
  for (let i = 0; i < keys.length; i += GET_LIMIT) {
    let request: Record<string, KeysAndAttributes> = { [name]: { Keys: keys.slice(i, i + GET_LIMIT).map((k) => keyItem(k.pk, k.sk)), ConsistentRead: true } };
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt === ATTEMPTS) throw new DependencyError('dynamodb', new Error('BatchGetItem left keys unprocessed'));
      if (attempt > 0) await backoff(attempt);
      let out;
      try {
        out = await client.send(new BatchGetItemCommand({ RequestItems: request }));
      } catch (e) {
        throw new DependencyError('dynamodb', e);
      }
      for (const item of out.Responses?.[name] ?? []) found.push(recordOf(table, item));
      // UnprocessedKeys keeps ConsistentRead with the keys, so a resend reads consistently too
      request = out.UnprocessedKeys ?? {};
    }
  }
  return found;
}

function recordOf(table: TableId, item: Item): StoredRecord {
  const { pk, sk, ...rest } = item;
  const attrs = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, fromAttribute(v)]));
  return { table, pk: pk!.S!, ...(sk?.S !== undefined ? { sk: sk.S } : {}), attrs };
}
