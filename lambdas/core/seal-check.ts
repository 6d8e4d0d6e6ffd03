/**
 * The completeness check (protocol.md §6): the stream sealer seals what the stream delivers; this finds any event it
 * did not — a record the stream or its event source lost, events written before the stream sealer took over — and
 * seals it, so every event is sealed whatever happened to the stream. Scheduled, it looks only at events older than
 * its margin (the stream has had its time), reads them from the `byTime` index after its cursor, compares them with
 * the seals that overlap them (seal-index.ts), seals the missing ones in wide seals (one per UTC day) and alarms on
 * each: a missed record is an integrity failure of the stream path. Events held by two seals are alarmed too.
 *
 * `sealAll` is the check with no margin and no cursor: it seals everything not yet sealed, now. Tests and tools use
 * it where no stream runs.
 */
import { AUDIT_SHARDS, malformedItems, sealableStoredEvent, timeBucket, type AuditEvent } from './audit.ts';
import { commitSeal, MAX_LEAVES, type SealResult } from './seal-commit.ts';
import { dayOf } from './seal-index.ts';
import { baseBeforeRecent, sealedIdsOverlapping } from './sealed-ids.ts';
import { getSealHead } from './seals.ts';
import { WriteConflict, type SealSigner } from './ports.ts';
import { isoNow, type CoreServices } from './services.ts';

export const CHECK_CURSOR = 'SEALCHECK';
/** How long the stream path has to seal an event before the check treats it as missed. */
export const CHECK_MARGIN_SECONDS = 300;
/** Where a check without a cursor (its first run, or `sealAll`) starts: the stream keeps records 24 h. */
export const CHECK_LOOKBACK_SECONDS = 2 * 86_400;
/** Events one run reads: at 1,000 events/s a run a minute keeps up (60,000), with room to catch up; ~100 MB of parsed events in a 512 MB function. */
export const CHECK_BUDGET = 100_000;
/** Entries per byTime page. */
const PAGE = 1000;

export interface CheckOptions {
  marginSeconds: number;
  /** Keep the position in CHECK_CURSOR (scheduled runs) or look back CHECK_LOOKBACK_SECONDS each time (sealAll). */
  cursor: boolean;
  /** Report missed and doubly sealed events as integrity failures (scheduled runs: the stream path failed). */
  alarm: boolean;
  budget?: number;
}

/** `malformed`: keys of the items in the window holding no sealable event (core/audit.ts sealableStoredEvent), skipped and left unsealed. */
export interface CheckResult { checked: number; missed: number; malformed: string[]; seals: SealResult[]; through: string; lagSeconds: number }

/** The events of (after, until] in byTime order of one day, at most `budget`; `cut` is where a truncated read ended. */
async function eventsOfDay(services: CoreServices, day: number, after: string, until: string, budget: number): Promise<{ events: AuditEvent[]; malformed: string[]; cut?: string }> {
  const perShard = Math.max(1, Math.floor(budget / AUDIT_SHARDS));
  const events: AuditEvent[] = [];
  const malformed: { pk: string; tsId: string }[] = [];
  let cut: string | undefined;
  for (let shard = 0; shard < AUDIT_SHARDS; shard++) {
    let next: string | undefined;
    let read = 0;
    do {
      const page = await services.store.queryIndex('audit', { index: 'byTime', partition: timeBucket(isoNow(day), shard), after, until, limit: Math.min(PAGE, perShard), ...(next ? { next } : {}) });
      for (const r of page.records) {
        const event = sealableStoredEvent(r.pk, r.attrs);
        if (event) events.push(event);
        else malformed.push({ pk: r.pk, tsId: String(r.attrs.tsId) });
      }
      read += page.records.length;
      next = page.next;
      const last = page.records.at(-1)?.attrs.tsId;
      if (next && read >= perShard && typeof last === 'string') {
        if (cut === undefined || last < cut) cut = last;
        next = undefined;
      }
    } while (next);
  }
  const within = (tsId: string): boolean => cut === undefined || tsId <= cut;
  return { events: events.filter((e) => within(`${e.ts}#${e.id}`)), malformed: malformed.filter((m) => within(m.tsId)).map((m) => m.pk), ...(cut !== undefined ? { cut } : {}) };
}

export async function checkSealed(services: CoreServices, signer: SealSigner, opts: CheckOptions): Promise<CheckResult> {
  const { store } = services;
  const now = services.clock.now();
  const cursor = opts.cursor ? await store.get('audit', CHECK_CURSOR) : null;
  const after = typeof cursor?.attrs.through === 'string' ? cursor.attrs.through : isoNow(now - CHECK_LOOKBACK_SECONDS * 1000);
  const end = `${isoNow(now - opts.marginSeconds * 1000)}#~`;
  let budget = opts.budget ?? CHECK_BUDGET;
  const events: AuditEvent[] = [];
  const malformed: string[] = [];
  let through = end;
  for (let day = Date.parse(`${after.slice(0, 10)}T00:00:00.000Z`); after < end && day <= now; day += 86_400_000) {
    const read = await eventsOfDay(services, day, after, end, budget);
    events.push(...read.events);
    malformed.push(...read.malformed);
    budget -= read.events.length + read.malformed.length;
    if (read.cut !== undefined) { through = read.cut; break; }
  }
  if (after >= end) through = after;
  if (opts.alarm && malformed.length > 0) {
    services.telemetry.integrityFailed(malformedItems('seal.check', malformed));
  }
  const seals: SealResult[] = [];
  let missed = 0;
  if (events.length > 0) {
    const head = await getSealHead(store); // before the seals are read: commitSeal rechecks everything appended after
    const ts = events.map((e) => e.ts).sort();
    const { sealed, duplicates } = await sealedIdsOverlapping(store, ts[0]!, ts.at(-1)!);
    const inWindow = new Set(events.map((e) => e.id));
    const doubled = [...duplicates].filter(([id]) => inWindow.has(id));
    if (opts.alarm && doubled.length > 0) {
      services.telemetry.integrityFailed({ action: 'seal.check', dependency: 'audit', errorClass: 'SealedTwice', check: `${doubled.length} event(s) in more than one seal, first ${doubled[0]![0]} in seals ${doubled[0]![1].join(', ')}` });
    }
    let unsealed = events.filter((e) => !sealed.has(e.id));
    // Events the sealer before the stream sealer marked on the item itself (`seq`): sealed, in a seal without an index entry.
    if (unsealed.length > 0) {
      const legacy = new Set((await store.getMany('audit', unsealed.map((e) => ({ pk: e.id })))).filter((r) => typeof r.attrs.seq === 'number').map((r) => r.pk));
      unsealed = unsealed.filter((e) => !legacy.has(e.id));
    }
    const byDay = new Map<string, AuditEvent[]>();
    for (const e of unsealed) {
      if (!byDay.has(dayOf(e.ts))) byDay.set(dayOf(e.ts), []);
      byDay.get(dayOf(e.ts))!.push(e);
    }
    // the index may not list a seal committed moments ago: recheck those by key (only when something is to seal)
    let baseSeq = unsealed.length > 0 ? await baseBeforeRecent(store, head?.last, now) : null;
    for (const group of byDay.values()) {
      for (let i = 0; i < group.length; i += MAX_LEAVES) {
        const r = await commitSeal(services, signer, { events: group.slice(i, i + MAX_LEAVES), wide: true, baseSeq });
        if (r) { seals.push(r); missed += r.count; baseSeq = r.seq; }
      }
    }
    if (opts.alarm && missed > 0) {
      services.telemetry.integrityFailed({ action: 'seal.check', dependency: 'audit', errorClass: 'MissedByStream', check: `${missed} event(s) the stream sealer had not sealed ${opts.marginSeconds} s after their ts, sealed in seal(s) ${seals.map((s) => s.seq).join(', ')}` });
    }
  }
  if (opts.cursor) await saveCursor(services, through, cursor ? Number(cursor.attrs.ver) : undefined);
  const lagSeconds = Math.max(0, (now - opts.marginSeconds * 1000 - Date.parse(through.slice(0, 24))) / 1000);
  return { checked: events.length, missed, malformed, seals, through, lagSeconds };
}

async function saveCursor(services: CoreServices, through: string, ver: number | undefined): Promise<void> {
  try {
    await services.store.commit([{ op: 'put', record: { table: 'audit', pk: CHECK_CURSOR, attrs: { through, ver: (ver ?? 0) + 1 } }, condition: ver === undefined ? { kind: 'absent' } : { kind: 'version', equals: ver } }]);
  } catch (e) {
    if (!(e instanceof WriteConflict)) throw e; // another run moved it: it checked the same events or more
  }
}
