/**
 * `psv.query`: the requester or the checking agency reads one case — its status (`requested`, `overdue` past the due
 * date without a report, `reported`), the request and the report exactly as its reporter signed it (the current
 * version, or `version`) — or, without `caseId`, pages through its own cases on both sides (protocol.md §5). The list
 * reads only the caller's listing items (ids, dates, status), capped by `limit` and by bytes (cursor.ts).
 */
import { openCursor, PageBudget, sealCursor, type CursorBinding } from '../cursor.ts';
import { refuse } from '../errors.ts';
import { CASE_SK, caseKeysOf, casePk, caseSummary, decryptCaseField, LIST_PREFIX, listPk, reportSk } from '../psv-cases.ts';
import { today, type ActionContext, type ActionOutcome } from '../services.ts';

export interface PsvQueryBody { caseId?: string; requester?: string; version?: number; limit?: number; cursor?: string }

interface Position { after: string }

export async function psvQuery(ctx: ActionContext, body: PsvQueryBody): Promise<ActionOutcome> {
  if (body.caseId === undefined) return listCases(ctx, body);
  // One case is one answer: paging members mean the caller meant the list.
  for (const m of ['cursor', 'limit'] as const) if (body[m] !== undefined) refuse('ERR_BODY_INVALID', `${m} pages the list of cases; it does not go with caseId`, [{ pointer: `/body/${m}`, detail: 'not with caseId' }]);
  return oneCase(ctx, body.caseId, body.requester ?? ctx.caller.agencyId, body.version);
}

async function oneCase(ctx: ActionContext, caseId: string, requester: string, version: number | undefined): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  ctx.target.resource = `psv:${requester}/${caseId}`;
  ctx.target.owner = requester;
  const rec = await services.store.get('documents', casePk(requester, caseId), CASE_SK);
  const keys = rec ? caseKeysOf(rec) : null;
  // Only the two parties see a case; to anyone else it does not exist.
  if (!rec || !keys || (caller.agencyId !== keys.requester && caller.agencyId !== keys.checker)) refuse('ERR_NOT_FOUND', `${caller.agencyId} is party to no case ${caseId} of ${requester}`);
  const { canonical: _canonical, ...request } = JSON.parse(await decryptCaseField(services.cipher, requester, caseId, rec, 'request')) as Record<string, unknown>;
  const view: Record<string, unknown> = { ...caseSummary(keys, today(ctx.now)), request };
  const wanted = version ?? keys.reportVersion;
  if (version !== undefined && (keys.reportVersion === undefined || version > keys.reportVersion)) refuse('ERR_NOT_FOUND', `case ${caseId} has no report version ${version}`);
  if (wanted !== undefined) {
    const r = await services.store.get('documents', casePk(requester, caseId), reportSk(wanted));
    if (!r) throw new Error(`case ${caseId}: report version ${wanted} missing`);
    view.report = { version: wanted, digest: String(r.attrs.digest), reportedAt: String(r.attrs.reportedAt), document: await decryptCaseField(services.cipher, requester, caseId, r, 'doc') };
  }
  ctx.target.details = { returned: 1 };
  return { status: 200, result: { cases: [view], cursor: null }, writes: [] };
}

async function listCases(ctx: ActionContext, body: PsvQueryBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  ctx.target.resource = `agency:${caller.agencyId}`;
  ctx.target.owner = caller.agencyId;
  const binding: CursorBinding = { act: 'psv.query', caller: caller.agencyId, filters: {} };
  const pos = body.cursor ? await openCursor<Position>(services.cursorKeys, binding, body.cursor) : null;
  const limit = body.limit ?? 100;
  const records = await services.store.queryPage('documents', { pk: listPk(caller.agencyId), skPrefix: LIST_PREFIX, ...(pos ? { after: pos.after } : {}), limit: limit + 1 });
  const page = new PageBudget(limit);
  const day = today(ctx.now);
  const cases: Record<string, unknown>[] = [];
  let last: string | undefined;
  let more = false;
  for (const r of records) {
    const c = caseSummary(caseKeysOf(r), day);
    if (!page.admit(c)) {
      more = true;
      break;
    }
    cases.push(c);
    last = r.sk;
  }
  const cursor = more && last ? await sealCursor(services.cursorKeys, binding, { after: last } satisfies Position) : null;
  ctx.target.details = { returned: cases.length };
  return { status: 200, result: { cases, cursor }, writes: [] };
}
