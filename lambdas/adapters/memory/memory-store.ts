/** In-memory Store for unit tests only (`npm start` uses DynamoDB on moto). Counts calls for benchmarks. */
import { isProjected, TABLES } from '../../definitions.ts';
import { LaggingIndexes } from './lagging-index.ts';
import { WriteConflict, type AttrValue, type Clock, type IndexPage, type IndexQuery, type PartitionPageQuery, type ReadOptions, type StoredRecord, type Store, type TableId, type Write, type WriteCondition } from '../../core/ports.ts';

const keyOf = (table: TableId, pk: string, sk?: string): string => `${table}\u0000${pk}\u0000${sk ?? ''}`;

/** A deep copy of a record (what structuredClone gives, for the few value shapes AttrValue allows, at a fraction of its cost). */
function copyOf(r: StoredRecord): StoredRecord {
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(r.attrs)) attrs[k] = v instanceof Uint8Array ? new Uint8Array(v) : Array.isArray(v) ? [...v] : v;
  return { table: r.table, pk: r.pk, ...(r.sk !== undefined ? { sk: r.sk } : {}), attrs };
}

/** The records by full key, with an index by partition so `query` does not scan every table (benchmarks run thousands of calls). */
class PartitionedRecords extends Map<string, StoredRecord> {
  private readonly partitions = new Map<string, Set<string>>();

  private static partitionOf(key: string): string {
    return key.slice(0, key.indexOf('\u0000', key.indexOf('\u0000') + 1));
  }

  override set(key: string, value: StoredRecord): this {
    super.set(key, value);
    // Map's constructor calls set before the field initializer has run.
    const parts = this.partitions as Map<string, Set<string>> | undefined;
    if (parts) {
      const p = PartitionedRecords.partitionOf(key);
      let keys = parts.get(p);
      if (!keys) parts.set(p, (keys = new Set()));
      keys.add(key);
    }
    return this;
  }

  override delete(key: string): boolean {
    this.partitions.get(PartitionedRecords.partitionOf(key))?.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.partitions.clear();
    super.clear();
  }

  inPartition(table: TableId, pk: string): StoredRecord[] {
    return [...(this.partitions.get(`${table}\u0000${pk}`) ?? [])].map((k) => this.get(k)!);
  }
}

export class MemoryStore implements Store {
  readonly records: Map<string, StoredRecord> = new PartitionedRecords();
  readonly calls = { get: 0, query: 0, commit: 0, putMany: 0, getMany: 0 };
  /** Set to make the next calls fail like an unavailable dependency. */
  failWith: Error | null = null;
  /** Set by lagIndexes: index queries then see each write only `lagMs` after it was made. */
  private lagging: LaggingIndexes | null = null;

  /**
   * From now on, index queries answer as DynamoDB's GSIs may: each write shows there `lagMs` (by `clock`) after it was made.
   * Eventually consistent table reads (`consistent: false`) answer from the same lagging replica: DynamoDB's replicas lag
   * less than its indexes (typically well under a second), but one lag is enough to show what code that opts out sees.
   */
  lagIndexes(lagMs: number, clock: Clock): void {
    this.lagging = new LaggingIndexes(this.records, lagMs, clock);
  }

  private check(): void {
    if (this.failWith) throw this.failWith;
  }

  /** The lagging replica's records of one partition, when lag is on and the read opts out of consistency. */
  private replica(table: TableId, pk: string, opts?: ReadOptions): StoredRecord[] | null {
    return this.lagging && opts?.consistent === false ? this.lagging.records(table).filter((r) => r.pk === pk) : null;
  }

  async get(table: TableId, pk: string, sk?: string, opts?: ReadOptions): Promise<StoredRecord | null> {
    this.calls.get++;
    this.check();
    const stale = this.replica(table, pk, opts);
    if (stale) return stale.find((r) => r.sk === sk) ?? null;
    return this.records.get(keyOf(table, pk, sk)) ?? null;
  }

  async query(table: TableId, pk: string, skPrefix: string, opts?: ReadOptions): Promise<StoredRecord[]> {
    this.calls.query++;
    this.check();
    return (this.replica(table, pk, opts) ?? (this.records as PartitionedRecords).inPartition(table, pk)).filter((r) => (r.sk ?? '').startsWith(skPrefix)).sort((a, b) => (a.sk ?? '').localeCompare(b.sk ?? ''));
  }

  async queryPage(table: TableId, q: PartitionPageQuery): Promise<StoredRecord[]> {
    this.calls.query++;
    this.check();
    // Byte order, as DynamoDB compares sort keys (localeCompare would not page consistently).
    return (this.records as PartitionedRecords).inPartition(table, q.pk)
      .filter((r) => (r.sk ?? '').startsWith(q.skPrefix) && (q.after === undefined || (r.sk ?? '') > q.after))
      .sort((a, b) => ((a.sk ?? '') < (b.sk ?? '') ? -1 : 1))
      .slice(0, q.limit)
      .map(copyOf);
  }

  async queryIndex(table: TableId, q: IndexQuery): Promise<IndexPage> {
    this.calls.query++;
    this.check();
    const tableDef = TABLES.find((t) => t.id === table)!;
    const def = tableDef.globalIndexes.find((i) => i.indexName === q.index);
    if (!def || !def.sortKey) throw new Error(`no index ${q.index} on ${table}`);
    const pkName = def.partitionKey.name;
    const skName = def.sortKey.name;
    const after = q.next ?? q.after;
    // An index may be keyed on the table's own keys (registry `inverted`: sk → pk), which records hold beside attrs.
    const valueOf = (r: StoredRecord, name: string): AttrValue | undefined => (name === 'pk' ? r.pk : name === 'sk' ? r.sk : r.attrs[name]);
    const rows = (this.lagging ? this.lagging.records(table) : this.all(table))
      .filter((r) => valueOf(r, pkName) === q.partition)
      .map((r) => ({ r, sk: String(valueOf(r, skName)) }))
      .filter(({ sk }) => (after === undefined || sk > after) && (q.until === undefined || sk <= q.until))
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
    const page = rows.slice(0, q.limit);
    // As DynamoDB returns them: only the attributes the index projects, so code reading anything else fails here too.
    const projected = (r: StoredRecord): StoredRecord => {
      const c = copyOf(r);
      return { ...c, attrs: Object.fromEntries(Object.entries(c.attrs).filter(([k]) => isProjected(tableDef, def, k))) };
    };
    return { records: page.map(({ r }) => projected(r)), ...(rows.length > q.limit ? { next: page.at(-1)!.sk } : {}) };
  }

  private holds(key: string, condition: WriteCondition): boolean {
    const current = this.records.get(key);
    if (condition.kind === 'absent') return !current;
    if (condition.kind === 'version') return !!current && current.attrs.ver === condition.equals;
    return true;
  }

  async commit(writes: readonly Write[]): Promise<void> {
    this.calls.commit++;
    this.check();
    const keys = writes.map((w) => (w.op === 'put' ? keyOf(w.record.table, w.record.pk, w.record.sk) : keyOf(w.table, w.pk, w.sk)));
    writes.forEach((w, i) => {
      if (!this.holds(keys[i]!, w.condition)) throw new WriteConflict(i);
    });
    writes.forEach((w, i) => {
      if (w.op === 'put') this.records.set(keys[i]!, copyOf(w.record));
      else if (w.op === 'delete') this.records.delete(keys[i]!);
      if (w.op !== 'check') this.lagging?.changed(keys[i]!, this.records.get(keys[i]!) ?? null);
    });
  }

  /** Seeds many records at once (tests only: no Store method writes unconditionally in bulk). */
  async putMany(records: readonly StoredRecord[]): Promise<void> {
    this.calls.putMany += 1;
    this.check();
    for (const r of records) {
      const key = keyOf(r.table, r.pk, r.sk);
      this.records.set(key, copyOf(r));
      this.lagging?.changed(key, this.records.get(key)!);
    }
  }

  async getMany(table: TableId, keys: readonly { pk: string; sk?: string }[]): Promise<StoredRecord[]> {
    // One call per 100 keys, as DynamoDB's BatchGetItem would be; read from the table itself, never a lagging index.
    this.calls.getMany += Math.ceil(keys.length / 100);
    this.check();
    return keys.flatMap((k) => {
      const r = this.records.get(keyOf(table, k.pk, k.sk));
      return r ? [copyOf(r)] : [];
    });
  }

  all(table: TableId): StoredRecord[] {
    return [...this.records.values()].filter((r) => r.table === table);
  }
}
