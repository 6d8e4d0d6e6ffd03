/**
 * The Store's batch write on DynamoDB: BatchWriteItem, 25 puts per request, chunks sent one after
 * another (the sealer's marking must not burst the audit indexes, docs/performance.md#scale).
 * DynamoDB may hand back part of a batch as unprocessed under throttling; that part is resent
 * with capped exponential backoff, and whatever is still left after the last attempt is a
 * dependency failure (never silently lost).
 */
import { BatchWriteItemCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../core/errors.ts';
import type { StoredRecord, TableId } from '../../core/ports.ts';
import { toItem } from './attribute-codec.ts';

type Item = Record<string, AttributeValue>;
type TableNames = Readonly<Record<TableId, string>>;

const PUT_LIMIT = 25;
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
