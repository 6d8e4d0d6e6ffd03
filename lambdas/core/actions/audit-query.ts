/**
 * `audit.query`: events in the caller's scope, oldest first, filtered, page by page. Reads the byTime index day by
 * day, merging its shards in (ts, id) order. A page ends at `limit` events, at the byte cap (cursor.ts), or when the
 * call has spent its index reads (a quiet month takes a few calls, never one unbounded read); only `cursor: null`
 * means the window is done. The cursor is sealed and bound to the caller and the filters (cursor.ts), and the
 * caller's scope is applied to every event whatever the cursor says.
 */
import { AUDIT_SHARDS, malformedItems, storedEvent, timeBucket, type AuditEvent } from '../audit.ts';
import { inScope } from '../audit-scope.ts';
import { openCursor, PageBudget, sealCursor, type CursorBinding } from '../cursor.ts';
import { refuse } from '../errors.ts';
import type { IndexPage, StoredRecord } from '../ports.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';

export interface AuditQueryBody {
  from?: string; to?: string; actor?: string; owner?: string; action?: string; resource?: string;
  decision?: 'allow' | 'deny'; limit?: number; cursor?: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_WINDOW = 31 * DAY;
const FILTERS = ['actor', 'owner', 'action', 'resource', 'decision'] as const;
/** Index entries per shard query. */
const SHARD_PAGE = 200;
/** Index queries one call may make (4 per day bucket at least): at most 64 × 200 entries read per call. */
export const MAX_INDEX_QUERIES = 64;

/** Where a query stands: everything with tsId ≤ `after` was examined; the window is fixed by the first page. */
interface Position { after: string; from: number; to: number }

/** Lazy pages of one shard of one day bucket. */
class ShardStream {
  private buf: StoredRecord[] = [];
  private next: string | undefined;
  private done = false;
  constructor(private readonly fetch: (next?: string) => Promise<IndexPage>) {}
  /** Whether `head` would read the index. */
  get wantsRead(): boolean {
    return this.buf.length === 0 && !this.done;
  }
  async head(): Promise<StoredRecord | undefined> {
    while (this.buf.length === 0 && !this.done) {
      const page = await this.fetch(this.next);
      this.buf = page.records;
      this.next = page.next;
      this.done = !page.next;
    }
    return this.buf[0];
  }
  take(): void {
    this.buf.shift();
  }
}

function firstPosition(ctx: ActionContext, body: AuditQueryBody): Position {
  const to = body.to ? Date.parse(body.to) : ctx.now;
  const from = body.from ? Date.parse(body.from) : to - 24 * HOUR;
  if (from > to) refuse('ERR_BODY_INVALID', 'from is after to', [{ pointer: '/body/from', detail: 'after to' }]);
  if (to - from > MAX_WINDOW) refuse('ERR_BODY_INVALID', 'the time window may span at most 31 days', [{ pointer: '/body/from', detail: 'window over 31 days' }]);
  return { after: isoNow(from - 1), from, to };
}

export async function auditQuery(ctx: ActionContext, body: AuditQueryBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  // Bound to the filters exactly as sent; the cursor carries the window its first page resolved, so a query
  // without `to` keeps its end instead of sliding with the clock.
  const binding: CursorBinding = { act: 'audit.query', caller: caller.agencyId, filters: Object.fromEntries([...FILTERS, 'from', 'to'].map((f) => [f, body[f as keyof AuditQueryBody] ?? null])) };
  const pos = body.cursor ? await openCursor<Position>(services.cursorKeys, binding, body.cursor) : firstPosition(ctx, body);
  const until = `${isoNow(pos.to)}#~`;
  const page = new PageBudget(body.limit ?? 100);
  const events: AuditEvent[] = [];
  const malformed: string[] = [];
  let after = pos.after;
  let queries = 0;
  let done = true;
  days: for (let day = Math.floor(Date.parse(after.slice(0, 24)) / DAY) * DAY; day <= pos.to; day += DAY) {
    const start = after;
    const streams = Array.from({ length: AUDIT_SHARDS }, (_, shard) => new ShardStream((next) => {
      queries++;
      return services.store.queryIndex('audit', { index: 'byTime', partition: timeBucket(isoNow(day), shard), after: start, until, limit: SHARD_PAGE, ...(next ? { next } : {}) });
    }));
    for (;;) {
      if (queries >= MAX_INDEX_QUERIES && streams.some((s) => s.wantsRead)) {
        done = false;
        break days;
      }
      const heads = await Promise.all(streams.map((s) => s.head()));
      let min = -1;
      heads.forEach((h, i) => {
        if (h && (min < 0 || String(h.attrs.tsId) < String(heads[min]!.attrs.tsId))) min = i;
      });
      if (min < 0) break; // this day is done
      const rec = heads[min]!;
      const e = storedEvent(rec.pk, rec.attrs);
      if (!e) {
        // no event (written around the exchange): in no seal and no one's scope; passed over, the operator alarmed
        malformed.push(rec.pk);
        streams[min]!.take();
        after = String(rec.attrs.tsId);
        continue;
      }
      const wanted = inScope(caller, e) && FILTERS.every((f) => body[f] === undefined || e[f] === body[f]);
      if (page.full || (wanted && !page.admit(e))) {
        done = false;
        break days;
      }
      streams[min]!.take();
      after = String(rec.attrs.tsId);
      if (wanted) events.push(e);
    }
    // Every event of this day bucket was examined: the next starts just after the day's last instant.
    if (isoNow(day + DAY) > after) after = isoNow(day + DAY);
  }
  if (malformed.length > 0) services.telemetry.integrityFailed(malformedItems('audit.query', malformed));
  const cursor = done ? null : await sealCursor(services.cursorKeys, binding, { ...pos, after });
  ctx.target.details = { returned: events.length };
  return { status: 200, result: { events, cursor }, writes: [] };
}
