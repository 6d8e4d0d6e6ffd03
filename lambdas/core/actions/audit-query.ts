/**
 * `audit.query`: events in the caller's scope, oldest first, filtered, page by page. Reads
 * the byTime index day by day, merging its shards in (ts, id) order. The cursor is
 * encrypted and bound to the caller and the filters, so it can neither be read nor forged;
 * and the caller's scope is applied to every event whatever the cursor says.
 */
import { AUDIT_SHARDS, eventFromAttrs, timeBucket, type AuditEvent } from '../audit.ts';
import { inScope } from '../audit-scope.ts';
import { DependencyError, refuse } from '../errors.ts';
import { jcs } from '../merkle.ts';
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

/** Lazy pages of one shard of one day bucket. */
class ShardStream {
  private buf: StoredRecord[] = [];
  private next: string | undefined;
  private done = false;
  constructor(private readonly fetch: (next?: string) => Promise<IndexPage>) {}
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

export async function auditQuery(ctx: ActionContext, body: AuditQueryBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const limit = body.limit ?? 100;
  // The cursor is bound to the caller and to the filters exactly as sent, and carries the window
  // it resolved: a query without `to` keeps its first page's end instead of sliding with the clock.
  const filterKey = jcs(Object.fromEntries([...FILTERS, 'from', 'to'].map((f) => [f, body[f as keyof AuditQueryBody] ?? null])));
  const cursorScope = { owner: services.exchangeId, type: 'audit-cursor' };
  const cursorAad = `audit-cursor/${caller.agencyId}/${filterKey}`;

  let window: { after: string; from: number; to: number };
  if (body.cursor) {
    try {
      window = JSON.parse((await services.cipher.decrypt(Buffer.from(body.cursor, 'base64url'), cursorScope, cursorAad)).toString('utf8')) as typeof window;
    } catch (e) {
      if (e instanceof DependencyError) throw e; // KMS unavailable says nothing about the cursor: 503, not 400
      refuse('ERR_BODY_INVALID', 'cursor is not valid for this caller and these filters', [{ pointer: '/body/cursor', detail: 'not a cursor of this query' }]);
    }
  } else {
    const to = body.to ? Date.parse(body.to) : ctx.now;
    const from = body.from ? Date.parse(body.from) : to - 24 * HOUR;
    if (from > to) refuse('ERR_BODY_INVALID', 'from is after to', [{ pointer: '/body/from', detail: 'after to' }]);
    if (to - from > MAX_WINDOW) refuse('ERR_BODY_INVALID', 'the time window may span at most 31 days', [{ pointer: '/body/from', detail: 'window over 31 days' }]);
    window = { after: isoNow(from - 1), from, to };
  }
  const { after, to } = window;
  const until = `${isoNow(to)}#~`;

  const events: AuditEvent[] = [];
  let lastSeen: string | undefined;
  let exhausted = true;
  for (let day = Math.floor(Date.parse(after.slice(0, 24)) / DAY) * DAY; day <= to && events.length < limit; day += DAY) {
    const streams = Array.from({ length: AUDIT_SHARDS }, (_, shard) =>
      new ShardStream((next) => services.store.queryIndex('audit', { index: 'byTime', partition: timeBucket(isoNow(day), shard), after, until, limit: 200, ...(next ? { next } : {}) })));
    for (;;) {
      const heads = await Promise.all(streams.map((s) => s.head()));
      let min = -1;
      heads.forEach((h, i) => {
        if (h && (min < 0 || String(h.attrs.tsId) < String(heads[min]!.attrs.tsId))) min = i;
      });
      if (min < 0) break;
      if (events.length >= limit) {
        exhausted = false;
        break;
      }
      const rec = heads[min]!;
      streams[min]!.take();
      lastSeen = String(rec.attrs.tsId);
      const e = eventFromAttrs(rec.attrs);
      if (inScope(caller, e) && FILTERS.every((f) => body[f] === undefined || e[f] === body[f])) events.push(e);
    }
    if (!exhausted) break;
  }
  const cursor = !exhausted && lastSeen ? Buffer.from(await services.cipher.encrypt(JSON.stringify({ ...window, after: lastSeen }), cursorScope, cursorAad)).toString('base64url') : null;
  ctx.target.details = { returned: events.length };
  return { status: 200, result: { events, cursor }, writes: [] };
}
