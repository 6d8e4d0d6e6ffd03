/**
 * psv.overdue (protocol.md §5, §10): a post-shipment verification still without a report after its due date notifies
 * both sides once, pushed by the exchange instead of found at the next psv.query. BIS treats a check open past 60
 * days as grounds for its Unverified List, so the requester must hear of it the day it happens.
 *
 * psv.request writes a due-date index item beside the case: partition `PSVDUE`, sort key `<dueDate>#<requester>#<caseId>`,
 * ids and dates only (nothing to encrypt). A scheduled scan (hourly in AWS, a timer in local mode) reads the due items
 * after its cursor (at most SCAN_WINDOW_DAYS back) up to yesterday and, for each case still unreported and not yet notified, commits in ONE
 * transaction: the case marked `overdueAt` (version-checked, so a report landing meanwhile wins and the case is
 * skipped at the next run), an audit event of the exchange whose id is derived from the case (written only if absent:
 * at most one notice per case, however many scans race) and its outbox item. Nothing is deleted (no role may delete
 * documents); the cursor and the budget keep each run's reads bounded.
 */
import { auditWrite, sealableEvent } from './audit.ts';
import { sha256b64url } from './merkle.ts';
import { psvOverdueNotice } from './notifications/notices.ts';
import { outboxWritesFor } from './notifications/outbox.ts';
import { WriteConflict, type StoredRecord, type Write } from './ports.ts';
import { CASE_SK, caseKeysOf, casePk, type CaseKeys } from './psv-cases.ts';
import { isoNow, today, type CoreServices } from './services.ts';

export const DUE_PK = 'PSVDUE';
/** The scan's cursor: the sort key of the last due item it handled. */
const SCAN_PK = 'PSVDUE#SCAN';
const SCAN_SK = 'CURSOR';
/**
 * How far back a scan looks: a case is noticed the first run after its due date, and a scan that could not run
 * (an outage, a disabled rule) for up to this long still catches every case that fell due meanwhile.
 */
export const SCAN_WINDOW_DAYS = 14;
/** Cases one run examines at most (one GetItem each, one transaction per overdue case); the next run continues. */
export const SCAN_BUDGET = 200;

const DAY = 86_400_000;
export const dueSk = (dueDate: string, requester: string, caseId: string): string => `${dueDate}#${requester}#${caseId}`;

/** The due-date index item psv.request commits with a new case. */
export function dueIndexWrite(k: Pick<CaseKeys, 'dueDate' | 'requester' | 'caseId'>): Write {
  return { op: 'put', record: { table: 'documents', pk: DUE_PK, sk: dueSk(k.dueDate, k.requester, k.caseId), attrs: { requester: k.requester, caseId: k.caseId, dueDate: k.dueDate } }, condition: { kind: 'none' } };
}

/** The one audit event id a case's overdue notice may have. */
export function overdueEventId(requester: string, caseId: string): string {
  return `ev-${sha256b64url(`corridor-psv-overdue\n${requester}\n${caseId}`)}`;
}

export interface OverdueRun {
  /** Cases due in the window that were examined. */
  readonly examined: number;
  /** Cases marked overdue and notified by this run. */
  readonly notified: number;
  /** The budget ran out before the window did: the next run continues. */
  readonly truncated: boolean;
}

export async function scanOverdue(services: CoreServices, budget = SCAN_BUDGET): Promise<OverdueRun> {
  const { store } = services;
  const now = services.clock.now();
  const yesterday = today(now - DAY);
  const cursor = await store.get('documents', SCAN_PK, SCAN_SK);
  // Sort keys start with the due date; `~` sorts after every id character, so `<date>#~` is the end of that date.
  const windowStart = `${today(now - (SCAN_WINDOW_DAYS + 1) * DAY)}#~`;
  const windowEnd = `${yesterday}#~`;
  const saved = typeof cursor?.attrs.through === 'string' ? cursor.attrs.through : windowStart;
  // Never before the window (bounded reads), never past yesterday (a cursor from a clock that ran ahead).
  const through = saved < windowStart ? windowStart : saved > windowEnd ? windowEnd : saved;
  let after = through;
  let examined = 0;
  let notified = 0;
  let truncated = false;
  try {
    scan: for (;;) {
      const page = await store.queryPage('documents', { pk: DUE_PK, skPrefix: '', after, limit: Math.min(100, budget - examined + 1) });
      const due = page.filter((r) => r.sk! <= windowEnd);
      if (due.length === 0) break;
      if (examined === budget) { truncated = true; break; }
      for (const r of due.slice(0, budget - examined)) {
        examined++;
        const outcome = await notifyIfOverdue(services, String(r.attrs.requester), String(r.attrs.caseId), now);
        // Undecided (a conflicting write that may not have committed): stop before it, the next run decides it.
        if (outcome === 'undecided') { truncated = true; break scan; }
        if (outcome === 'notified') notified++;
        after = r.sk!;
      }
      if (due.length < page.length) break;
    }
  } finally {
    // Also when a case failed (DynamoDB, KMS): the cases before it are done and are not read again.
    if (after !== through) await advance(services, cursor, after);
  }
  return { examined, notified, truncated };
}

/**
 * Remembers how far the scan got. Every case due before the cursor was notified or reported (psv.request only accepts
 * due dates after today, so none can appear behind it), and later runs start after it. Losing a race to another run
 * only means that one advanced it.
 */
async function advance(services: CoreServices, cursor: StoredRecord | null, through: string): Promise<void> {
  const ver = cursor ? Number(cursor.attrs.ver) : 0;
  try {
    await services.store.commit([{ op: 'put', record: { table: 'documents', pk: SCAN_PK, sk: SCAN_SK, attrs: { through, ver: ver + 1 } }, condition: cursor ? { kind: 'version', equals: ver } : { kind: 'absent' } }]);
  } catch (e) {
    if (!(e instanceof WriteConflict)) throw e;
  }
}

/**
 * Marks one case overdue and commits its notice: `notified`; `done` when there is nothing to do (reported, already
 * notified, gone); `undecided` when the commit met a conflicting write and the case, read again, is still neither.
 */
async function notifyIfOverdue(services: CoreServices, requester: string, caseId: string, now: number): Promise<'notified' | 'done' | 'undecided'> {
  const pk = casePk(requester, caseId);
  const rec = await services.store.get('documents', pk, CASE_SK);
  if (!rec || isSettled(rec)) return 'done';
  const k = caseKeysOf(rec);
  if (k.dueDate >= today(now)) return 'done'; // the due date moved (never today, but the index item is not the case)
  // The event's own time, not the run's start: a run may take seconds, and events are sealed by ts (the late bound).
  const at = services.clock.now();
  const ts = isoNow(at);
  const event = sealableEvent({
    id: overdueEventId(requester, caseId),
    ts,
    exchangeId: services.exchangeId,
    action: 'psv.overdue',
    resource: `psv:${requester}/${caseId}`,
    owner: requester,
    decision: 'allow',
    status: 200,
    rqd: sha256b64url(`${requester}\n${caseId}\n${k.dueDate}`),
    rsd: sha256b64url(''),
    sourceIp: 'none',
    requestId: `psv.overdue:${requester}/${caseId}`,
    details: { checker: k.checker, dueDate: k.dueDate },
  });
  const notice = psvOverdueNotice(requester, caseId, k.checker, { licenseId: k.licenseId, dueDate: k.dueDate, requestedAt: k.requestedAt });
  try {
    await services.store.commit([
      { op: 'put', record: { table: 'documents', pk, sk: CASE_SK, attrs: { ...rec.attrs, overdueAt: ts, ver: Number(rec.attrs.ver) + 1 } }, condition: { kind: 'version', equals: Number(rec.attrs.ver) } },
      auditWrite(event),
      ...await outboxWritesFor(services.cipher, event.id, at, [notice]),
    ]);
    return 'notified';
  } catch (e) {
    if (!(e instanceof WriteConflict)) throw e;
    // A report landed or another run notified it (done), or a write that conflicted with ours was itself cancelled.
    const again = await services.store.get('documents', pk, CASE_SK);
    return !again || isSettled(again) ? 'done' : 'undecided';
  }
}

const isSettled = (rec: StoredRecord): boolean => rec.attrs.status === 'reported' || typeof rec.attrs.overdueAt === 'string';
