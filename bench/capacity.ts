/**
 * The capacity units DynamoDB on-demand would bill for the requests the bench sends to moto, which
 * meters nothing: it reports table units only, 1 per write whatever the size, and none for global
 * secondary indexes. So they are computed here from the items sent or returned:
 *
 * - item size per the DynamoDB developer guide ("Item sizes and formats"); reads 4 KB per strongly
 *   consistent RRU and ½ RRU per 4 KB eventually consistent — DynamoDB's default, so any GetItem,
 *   Query or BatchGetItem table without `ConsistentRead: true`, and every index query — writes 1 KB
 *   per WRU of the larger of the item before and after, transactional items twice;
 * - index writes by DynamoDB's rule ("Provisioned throughput considerations for global secondary
 *   indexes"), from the index definitions and projections in lambdas/definitions.ts: an entry
 *   is written when the item enters the index (1 write of the entry), leaves it (1 delete), changes an
 *   index key (delete + put), or changes an attribute the index projects (1 write); a write that
 *   changes none of these costs the index nothing. The item before each write is the last image this
 *   meter saw written (everything the bench writes passes through it); an item it never saw counts as new.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isProjected, type IndexDefinition, type TableDefinition } from '../lambdas/definitions.ts';

/** Units, with the index writes (part of `wru`) per index name. */
export interface Capacity { rru: number; wru: number; indexWru: Record<string, number> }
type Item = Record<string, AttributeValue>;

export const emptyCapacity = (): Capacity => ({ rru: 0, wru: 0, indexWru: {} });

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (v.B !== undefined) return v.B.byteLength;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.L !== undefined) return 3 + v.L.reduce((s, e) => s + 1 + valueSize(e), 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((s, [k, e]) => s + utf8(k) + 1 + valueSize(e), 0);
  if (v.SS !== undefined) return v.SS.reduce((s, e) => s + utf8(e), 0);
  return 0;
}

export const itemSize = (item: Item): number => Object.entries(item).reduce((s, [k, v]) => s + utf8(k) + valueSize(v), 0);

const kb = (bytes: number, unit: number): number => Math.max(1, Math.ceil(bytes / unit));
/** RRU per 4 KB read: 1 strongly consistent, ½ eventually consistent (what DynamoDB does when ConsistentRead is not true). */
const readFactor = (consistentRead: unknown): number => (consistentRead === true ? 1 : 0.5);

/** JSON with sorted member names at every level: equal attribute values give equal strings. */
function canonical(v: unknown): string {
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The entry `index` holds for `item`: null when the item lacks an index key (sparse index). */
function indexEntry(table: TableDefinition, index: IndexDefinition, item: Item | undefined): Item | null {
  if (!item) return null;
  if (!item[index.partitionKey.name] || (index.sortKey && !item[index.sortKey.name])) return null;
  return Object.fromEntries(Object.entries(item).filter(([k]) => isProjected(table, index, k)));
}

/** WRU DynamoDB spends on `index` when an item goes from `before` to `after` (either absent). */
export function indexWriteUnits(table: TableDefinition, index: IndexDefinition, before: Item | undefined, after: Item | undefined): number {
  const was = indexEntry(table, index, before);
  const is = indexEntry(table, index, after);
  if (!was && !is) return 0;
  if (!was) return kb(itemSize(is!), 1024); // enters the index
  if (!is) return kb(itemSize(was), 1024); // leaves it
  const keys = [index.partitionKey.name, ...(index.sortKey ? [index.sortKey.name] : [])];
  if (keys.some((k) => canonical(was[k]) !== canonical(is[k]))) return kb(itemSize(was), 1024) + kb(itemSize(is), 1024); // moves
  if (canonical(was) === canonical(is)) return 0; // nothing it holds changed: no index write
  return kb(Math.max(itemSize(was), itemSize(is)), 1024);
}

/**
 * Counts what each request would consume. `tables` maps the physical table names the bench uses to their
 * definitions (keys, indexes and projections as deployed).
 */
export class CapacityMeter {
  private readonly images = new Map<string, Item>();

  constructor(private readonly tables: Readonly<Record<string, TableDefinition>>) {}

  private def(tableName: string): TableDefinition {
    const def = this.tables[tableName];
    if (!def) throw new Error(`capacity: unknown table ${tableName}`);
    return def;
  }

  private keyOf(def: TableDefinition, tableName: string, item: Item): string {
    return `${tableName}\n${canonical(item[def.partitionKey.name])}\n${def.sortKey ? canonical(item[def.sortKey.name]) : ''}`;
  }

  /** One item write (`after` undefined: a delete of the item with `key`), added to `into`. */
  private write(into: Capacity, tableName: string, key: Item, after: Item | undefined, factor: number): void {
    const def = this.def(tableName);
    const k = this.keyOf(def, tableName, key);
    const before = this.images.get(k);
    const bytes = Math.max(before ? itemSize(before) : 0, after ? itemSize(after) : 0);
    into.wru += kb(bytes, 1024) * factor;
    for (const index of def.globalIndexes) {
      const units = indexWriteUnits(def, index, before, after);
      into.wru += units;
      into.indexWru[index.indexName] = (into.indexWru[index.indexName] ?? 0) + units;
    }
    if (after) this.images.set(k, after);
    else this.images.delete(k);
  }

  /** The units of one successful request (`command` as the SDK names it), from its input and output. */
  units(command: string, input: unknown, output: unknown): Capacity {
    const i = input as Record<string, unknown>;
    const o = (output ?? {}) as Record<string, unknown>;
    const c = emptyCapacity();
    switch (command) {
      case 'GetItemCommand':
        c.rru = kb(o.Item ? itemSize(o.Item as Item) : 0, 4096) * readFactor(i.ConsistentRead);
        break;
      case 'QueryCommand': {
        // An index query cannot be consistent (DynamoDB refuses ConsistentRead on a GSI), so it is ½ either way.
        const bytes = ((o.Items ?? []) as Item[]).reduce((s, it) => s + itemSize(it), 0);
        c.rru = kb(bytes, 4096) * readFactor(i.IndexName ? false : i.ConsistentRead);
        break;
      }
      case 'BatchGetItemCommand': {
        // Each item rounded up on its own; consistency is chosen per table of the request.
        const asked = (i.RequestItems ?? {}) as Record<string, { ConsistentRead?: boolean }>;
        c.rru = Object.entries((o.Responses ?? {}) as Record<string, Item[]>)
          .reduce((s, [table, items]) => s + items.reduce((t, it) => t + kb(itemSize(it), 4096), 0) * readFactor(asked[table]?.ConsistentRead), 0);
        break;
      }
      case 'PutItemCommand':
        this.write(c, i.TableName as string, i.Item as Item, i.Item as Item, 1);
        break;
      case 'DeleteItemCommand':
        this.write(c, i.TableName as string, i.Key as Item, undefined, 1);
        break;
      case 'BatchWriteItemCommand': {
        type Req = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };
        const unprocessed = new Set(Object.entries((o.UnprocessedItems ?? {}) as Record<string, Req[]>)
          .flatMap(([t, rs]) => rs.map((r) => `${t}\n${canonical(r)}`)));
        for (const [table, requests] of Object.entries(i.RequestItems as Record<string, Req[]>)) {
          for (const r of requests) {
            if (unprocessed.has(`${table}\n${canonical(r)}`)) continue; // resent later, counted then
            if (r.PutRequest) this.write(c, table, r.PutRequest.Item, r.PutRequest.Item, 1);
            else if (r.DeleteRequest) this.write(c, table, r.DeleteRequest.Key, undefined, 1);
          }
        }
        break;
      }
      case 'TransactWriteItemsCommand': {
        const items = i.TransactItems as { Put?: { TableName: string; Item: Item }; Delete?: { TableName: string; Key: Item }; ConditionCheck?: unknown }[];
        for (const t of items) {
          if (t.Put) this.write(c, t.Put.TableName, t.Put.Item, t.Put.Item, 2);
          else if (t.Delete) this.write(c, t.Delete.TableName, t.Delete.Key, undefined, 2);
          else c.wru += 2; // a condition check of an item ≤ 1 KB
        }
        break;
      }
      default:
        break;
    }
    return c;
  }
}
