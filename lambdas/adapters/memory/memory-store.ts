/** In-memory Store for unit tests only (`npm start` uses DynamoDB on moto). Counts calls for benchmarks. */
import { WriteConflict, type StoredRecord, type Store, type TableId, type Write, type WriteCondition } from '../../core/ports.ts';

const keyOf = (table: TableId, pk: string, sk?: string): string => `${table}\u0000${pk}\u0000${sk ?? ''}`;

export class MemoryStore implements Store {
  readonly records = new Map<string, StoredRecord>();
  readonly calls = { get: 0, query: 0, commit: 0 };
  /** Set to make the next calls fail like an unavailable dependency. */
  failWith: Error | null = null;

  private check(): void {
    if (this.failWith) throw this.failWith;
  }

  async get(table: TableId, pk: string, sk?: string): Promise<StoredRecord | null> {
    this.calls.get++;
    this.check();
    return this.records.get(keyOf(table, pk, sk)) ?? null;
  }

  async query(table: TableId, pk: string, skPrefix: string): Promise<StoredRecord[]> {
    this.calls.query++;
    this.check();
    return [...this.records.values()].filter((r) => r.table === table && r.pk === pk && (r.sk ?? '').startsWith(skPrefix)).sort((a, b) => (a.sk ?? '').localeCompare(b.sk ?? ''));
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
      if (w.op === 'put') this.records.set(keys[i]!, structuredClone(w.record));
      else if (w.op === 'delete') this.records.delete(keys[i]!);
    });
  }

  all(table: TableId): StoredRecord[] {
    return [...this.records.values()].filter((r) => r.table === table);
  }
}
