/**
 * The Store's batch read on DynamoDB: BatchGetItem, 100 strongly consistent reads per request, chunks sent one after
 * another. DynamoDB may hand back part of a batch as unprocessed under throttling; that part is resent with capped
 * exponential backoff, and whatever is still left after the last attempt is a dependency failure (never silently lost).
 * (The store writes no batches: nothing rewrites audit events since the stream sealer, and every other write is a
 * conditional put or transaction.)
 */
import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient, type KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../core/errors.ts';
import type { StoredRecord, TableId } from '../../core/ports.ts';
import { fromAttribute } from './attribute-codec.ts';

type Item = Record<string, AttributeValue>;
type TableNames = Readonly<Record<TableId, string>>;

const GET_LIMIT = 100;
const ATTEMPTS = 6;

function keyItem(pk: string, sk?: string): Item {
  return sk === undefined ? { pk: { S: pk } } : { pk: { S: pk }, sk: { S: sk } };
}

/** Full jitter on 25 ms · 2^attempt, capped at 1 s: unprocessed items mean throttling, so back off. */
const backoff = (attempt: number): Promise<void> => new Promise((r) => setTimeout(r, Math.random() * Math.min(25 * 2 ** attempt, 1000)));

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
