/**
 * The capacity units DynamoDB on-demand would bill for one request, from the items actually sent
 * or returned (moto does not meter): item size per the DynamoDB developer guide ("Item sizes and
 * formats"), reads 4 KB per strongly consistent RRU (½ for eventually consistent index queries),
 * writes 1 KB per WRU, transactional items twice. Audit items also write both ALL-projected global
 * indexes (`pending`, `byTime`); the sealer's rewrite (an item with `seq`, without `pending`)
 * removes the `pending` entry and updates the `byTime` one.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export interface Capacity { rru: number; wru: number }
type Item = Record<string, AttributeValue>;

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

/** WRU of one put, with the audit table's index writes. */
function putUnits(item: Item, factor: number): number {
  const size = itemSize(item);
  let units = kb(size, 1024) * factor;
  if (item.tbucket) units += kb(size, 1024); // byTime: every audit event (new, or rewritten with seq/leafIndex)
  if (item.pending) units += kb(size, 1024); // pending: a new, unsealed event
  else if (item.seq && item.event) units += 1; // the rewrite drops the event from `pending`
  return units;
}

export function capacityOf(command: string, input: unknown, output: unknown): Capacity {
  const i = input as Record<string, unknown>;
  const o = (output ?? {}) as Record<string, unknown>;
  switch (command) {
    case 'GetItemCommand':
      return { rru: kb(o.Item ? itemSize(o.Item as Item) : 0, 4096), wru: 0 };
    case 'QueryCommand': {
      const bytes = ((o.Items ?? []) as Item[]).reduce((s, it) => s + itemSize(it), 0);
      return { rru: kb(bytes, 4096) * (i.IndexName ? 0.5 : 1), wru: 0 };
    }
    case 'BatchGetItemCommand': {
      const all = Object.values((o.Responses ?? {}) as Record<string, Item[]>).flat();
      return { rru: all.reduce((s, it) => s + kb(itemSize(it), 4096), 0), wru: 0 };
    }
    case 'PutItemCommand':
      return { rru: 0, wru: putUnits(i.Item as Item, 1) };
    case 'DeleteItemCommand':
      return { rru: 0, wru: 1 };
    case 'BatchWriteItemCommand': {
      const requests = Object.values(i.RequestItems as Record<string, { PutRequest?: { Item: Item } }[]>).flat();
      return { rru: 0, wru: requests.reduce((s, r) => s + (r.PutRequest ? putUnits(r.PutRequest.Item, 1) : 1), 0) };
    }
    case 'TransactWriteItemsCommand': {
      const items = i.TransactItems as { Put?: { Item: Item }; Delete?: unknown; ConditionCheck?: unknown }[];
      return { rru: 0, wru: items.reduce((s, t) => s + (t.Put ? putUnits(t.Put.Item, 2) : 2), 0) };
    }
    default:
      return { rru: 0, wru: 0 };
  }
}
