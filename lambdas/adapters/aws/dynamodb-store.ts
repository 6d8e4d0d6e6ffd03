/**
 * DynamoDbStore implements Store: one GetItem / Query per read (ConsistentRead unless the caller
 * opts out, ports.ts ReadOptions), one conditional PutItem or one TransactWriteItems per commit. Failed conditions become WriteConflict with the
 * failing index; every other failure becomes DependencyError (→ 503, fail closed).
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../core/errors.ts';
import { TABLES } from '../../definitions.ts';
import { WriteConflict, type IndexPage, type IndexQuery, type PartitionPageQuery, type ReadOptions, type Store, type StoredRecord, type TableId, type Write, type WriteCondition } from '../../core/ports.ts';
import { fromAttribute, toItem } from './attribute-codec.ts';
import { batchGet } from './dynamodb-batch.ts';

export type TableNames = Readonly<Record<TableId, string>>;

interface Conditional { ConditionExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> }

function conditionOf(c: WriteCondition): Conditional {
  if (c.kind === 'absent') return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } };
  if (c.kind === 'version') return { ConditionExpression: '#ver = :ver', ExpressionAttributeNames: { '#ver': 'ver' }, ExpressionAttributeValues: { ':ver': { N: String(c.equals) } } };
  return {};
}

export class DynamoDbStore implements Store {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: TableNames,
  ) {}

  private key(pk: string, sk?: string): Record<string, AttributeValue> {
    return sk === undefined ? { pk: { S: pk } } : { pk: { S: pk }, sk: { S: sk } };
  }

  private record(table: TableId, item: Record<string, AttributeValue>): StoredRecord {
    const { pk, sk, ...rest } = item;
    const attrs = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, fromAttribute(v)]));
    return { table, pk: pk!.S!, ...(sk?.S !== undefined ? { sk: sk.S } : {}), attrs };
  }

  async get(table: TableId, pk: string, sk?: string, opts?: ReadOptions): Promise<StoredRecord | null> {
    try {
      const out = await this.client.send(new GetItemCommand({ TableName: this.tables[table], Key: this.key(pk, sk), ConsistentRead: opts?.consistent !== false }));
      return out.Item ? this.record(table, out.Item) : null;
    } catch (e) {
      throw new DependencyError('dynamodb', e);
    }
  }

  async getMany(table: TableId, keys: readonly { pk: string; sk?: string }[]): Promise<StoredRecord[]> {
    return batchGet(this.client, this.tables, table, keys);
  }

  async query(table: TableId, pk: string, skPrefix: string, opts?: ReadOptions): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const page = await this.client.send(new QueryCommand({
          TableName: this.tables[table],
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': { S: pk }, ':prefix': { S: skPrefix } },
          ConsistentRead: opts?.consistent !== false,
          ExclusiveStartKey: start,
        }));
        for (const item of page.Items ?? []) out.push(this.record(table, item));
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (e) {
      throw new DependencyError('dynamodb', e);
    }
    return out;
  }

  async queryPage(table: TableId, q: PartitionPageQuery): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const page = await this.client.send(new QueryCommand({
          TableName: this.tables[table],
          // One sort-key condition only: the prefix's range from just after `after` (ids in keys are ASCII by their schemas)
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': { S: q.pk }, ':lo': { S: q.after !== undefined && q.after >= q.skPrefix ? `${q.after}\u0000` : q.skPrefix }, ':hi': { S: `${q.skPrefix}\uffff` } },
          ConsistentRead: true,
          Limit: q.limit - out.length,
          ExclusiveStartKey: start,
        }));
        for (const item of page.Items ?? []) out.push(this.record(table, item));
        start = page.LastEvaluatedKey; // set at Limit, and at DynamoDB's 1 MB per page
      } while (start && out.length < q.limit);
    } catch (e) {
      throw new DependencyError('dynamodb', e);
    }
    return out.filter((r) => r.sk?.startsWith(q.skPrefix));
  }

  async queryIndex(table: TableId, q: IndexQuery): Promise<IndexPage> {
    const def = TABLES.find((t) => t.id === table)?.globalIndexes.find((i) => i.indexName === q.index);
    if (!def?.sortKey) throw new DependencyError('dynamodb', new Error(`no index ${q.index}`));
    const names: Record<string, string> = { '#p': def.partitionKey.name };
    // DynamoDB refuses names the expression does not use: add #s only with a sort-key condition
    if (q.after !== undefined || q.until !== undefined) names['#s'] = def.sortKey.name;
    const values: Record<string, AttributeValue> = { ':p': { S: q.partition } };
    const conditions = ['#p = :p'];
    if (q.after !== undefined && q.until !== undefined) {
      conditions.push('#s BETWEEN :a AND :u');
      values[':a'] = { S: `${q.after}\u0000` }; // strictly after: the smallest key greater than `after`
      values[':u'] = { S: q.until };
    } else if (q.after !== undefined) {
      conditions.push('#s > :a');
      values[':a'] = { S: q.after };
    } else if (q.until !== undefined) {
      conditions.push('#s <= :u');
      values[':u'] = { S: q.until };
    }
    try {
      const out = await this.client.send(new QueryCommand({
        TableName: this.tables[table],
        IndexName: q.index,
        KeyConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: q.limit,
        ExclusiveStartKey: q.next ? (JSON.parse(Buffer.from(q.next, 'base64url').toString('utf8')) as Record<string, AttributeValue>) : undefined,
      }));
      const records = (out.Items ?? []).map((i) => this.record(table, i));
      return { records, ...(out.LastEvaluatedKey ? { next: Buffer.from(JSON.stringify(out.LastEvaluatedKey)).toString('base64url') } : {}) };
    } catch (e) {
      throw new DependencyError('dynamodb', e);
    }
  }

  private transactItem(w: Write): TransactWriteItem {
    if (w.op === 'put') {
      const Item = { ...this.key(w.record.pk, w.record.sk), ...toItem(w.record.attrs) };
      return { Put: { TableName: this.tables[w.record.table], Item, ...conditionOf(w.condition) } };
    }
    if (w.op === 'check') return { ConditionCheck: { TableName: this.tables[w.table], Key: this.key(w.pk, w.sk), ...(conditionOf(w.condition) as Required<Pick<Conditional, 'ConditionExpression'>> & Conditional) } };
    return { Delete: { TableName: this.tables[w.table], Key: this.key(w.pk, w.sk), ...conditionOf(w.condition) } };
  }

  async commit(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return;
    try {
      if (writes.length === 1 && writes[0]!.op !== 'check') {
        // One item: a conditional write costs half a transaction.
        const t = this.transactItem(writes[0]!);
        if (t.Put) await this.client.send(new PutItemCommand(t.Put));
        else await this.client.send(new DeleteItemCommand(t.Delete!));
      } else {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: writes.map((w) => this.transactItem(w)) }));
      }
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new WriteConflict(0);
      if (e instanceof TransactionCanceledException) {
        // A concurrent transaction on the same item is a conflict too: the caller re-reads and retries.
        const failed = (e.CancellationReasons ?? []).findIndex((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
        if (failed >= 0) throw new WriteConflict(failed);
      }
      throw new DependencyError('dynamodb', e);
    }
  }
}
