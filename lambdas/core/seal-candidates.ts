/**
 * What the next seal may take (protocol.md §6): the events the `pending` index lists, confirmed against
 * the table. The index is a GSI and reads of it are eventually consistent, so an event sealed and marked
 * moments ago may still be listed as pending (issue 17 item 2: with a 3 s lag, seals 0, 2 and 4 held the
 * same 2,000 events). Every listed event is therefore read back from the table with a strongly consistent
 * read, and only one that still carries `pending` there can enter a seal.
 */
import { AUDIT_SHARDS, eventFromAttrs, type AuditEvent } from './audit.ts';
import type { Store, StoredRecord } from './ports.ts';

export interface Candidate { r: StoredRecord; e: AuditEvent }

export interface Candidates {
  /** Pending events in (ts, id) order, at most `max`, as the table holds them now. */
  batch: Candidate[];
  /** Events of the last seal the table still holds as pending (the sealer stopped before marking them): to mark, never to seal again. */
  unmarked: StoredRecord[];
  /** True when pending events may have been left for a later seal: more than `max`, or more listed than were read. */
  backlog: boolean;
}

/** Keys per consistent batch read (DynamoDB's BatchGetItem limit). */
const CONFIRM_CHUNK = 100;

const byTsId = (a: Candidate, b: Candidate): number => (a.e.ts < b.e.ts ? -1 : a.e.ts > b.e.ts ? 1 : a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0);

/**
 * Each shard's oldest `max` listed events (its index partition is in (ts, id) order), so the oldest `max`
 * overall are among them. Where a shard had more, nothing after its last read entry may be taken this time
 * (`cutoff`): an unread event of that shard could be older.
 */
async function listed(store: Store, max: number): Promise<{ records: StoredRecord[]; cutoff?: string }> {
  const records: StoredRecord[] = [];
  let cutoff: string | undefined;
  for (let shard = 0; shard < AUDIT_SHARDS; shard++) {
    let next: string | undefined;
    let read = 0;
    do {
      const page = await store.queryIndex('audit', { index: 'pending', partition: `P#${shard}`, limit: 1000, ...(next ? { next } : {}) });
      records.push(...page.records);
      read += page.records.length;
      next = page.next;
    } while (next && read < max);
    const last = records.at(-1)?.attrs.tsId;
    if (next && typeof last === 'string' && (cutoff === undefined || last < cutoff)) cutoff = last;
  }
  return { records: cutoff === undefined ? records : records.filter((r) => String(r.attrs.tsId) <= cutoff!), ...(cutoff !== undefined ? { cutoff } : {}) };
}

/** The listed records still pending in the table, read consistently 100 at a time, in the order given. */
async function stillPending(store: Store, records: readonly StoredRecord[]): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (let i = 0; i < records.length; i += CONFIRM_CHUNK) {
    const chunk = records.slice(i, i + CONFIRM_CHUNK);
    const current = new Map((await store.getMany('audit', chunk.map((r) => ({ pk: r.pk })))).map((r) => [r.pk, r]));
    for (const r of chunk) {
      const now = current.get(r.pk);
      if (now?.attrs.pending !== undefined) out.push(now);
    }
  }
  return out;
}

/**
 * The next seal's events: up to `max` pending events, oldest first, each confirmed pending by a consistent
 * read; and the events of the last seal (`lastSealIds`) still unmarked, all of them, whatever the batch.
 */
export async function sealCandidates(store: Store, lastSealIds: ReadonlySet<string>, max: number): Promise<Candidates> {
  const { records, cutoff } = await listed(store, max);
  const unmarked = await stillPending(store, records.filter((r) => lastSealIds.has(r.pk)));
  const others = records.filter((r) => !lastSealIds.has(r.pk)).map((r) => ({ r, e: eventFromAttrs(r.attrs) })).sort(byTsId);
  const batch: Candidate[] = [];
  // Confirm in (ts, id) order only as many as the seal can take: a stale entry just lets the next one in.
  for (let i = 0; i < others.length && batch.length < max; i += CONFIRM_CHUNK) {
    const pending = await stillPending(store, others.slice(i, i + CONFIRM_CHUNK).map((c) => c.r));
    for (const r of pending) if (batch.length < max) batch.push({ r, e: eventFromAttrs(r.attrs) });
  }
  // Full: whatever was listed after the last one taken may still be pending. Cut off: a shard was not read to its end.
  const last = batch.at(-1);
  const leftListed = batch.length === max && others.length > 0 && byTsId(others.at(-1)!, last!) > 0;
  return { batch, unmarked, backlog: cutoff !== undefined || leftListed };
}
