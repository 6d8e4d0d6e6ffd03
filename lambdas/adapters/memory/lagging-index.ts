/**
 * Global secondary indexes that lag behind their table, for the memory store (unit tests only). DynamoDB
 * propagates an item's change to its GSIs asynchronously — "within a fraction of a second" normally, longer
 * under load — and GSI queries cannot be strongly consistent. Here the indexes answer from a replica of the
 * tables to which every write is applied `lagMs` after it was made (by the given clock), so a test can show
 * what code that trusts an index does when the index is behind (an event sealed and marked, yet still listed
 * as pending).
 */
import type { Clock, StoredRecord, TableId } from '../../core/ports.ts';

export class LaggingIndexes {
  private readonly replica: Map<string, StoredRecord>;
  private readonly queue: { at: number; key: string; record: StoredRecord | null }[] = [];

  /** `current`: the tables as they are now (the replica starts caught up). */
  constructor(current: ReadonlyMap<string, StoredRecord>, private readonly lagMs: number, private readonly clock: Clock) {
    this.replica = new Map(current);
  }

  /** A write to the table (null: a delete); records are never mutated in place by the store, so they are kept as given. */
  changed(key: string, record: StoredRecord | null): void {
    this.queue.push({ at: this.clock.now(), key, record });
  }

  /** The table's records as its indexes see them now: every write older than the lag, none newer. */
  records(table: TableId): StoredRecord[] {
    const horizon = this.clock.now() - this.lagMs;
    let applied = 0;
    for (const w of this.queue) {
      if (w.at > horizon) break;
      if (w.record) this.replica.set(w.key, w.record);
      else this.replica.delete(w.key);
      applied++;
    }
    this.queue.splice(0, applied);
    return [...this.replica.values()].filter((r) => r.table === table);
  }
}
