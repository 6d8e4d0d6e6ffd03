/**
 * `consultation.list`: the caller's consultations, those it opened and those it was consulted on, oldest first, a
 * page at a time (one strongly consistent Query of the caller's own partition per page), capped by `limit` and by
 * bytes (cursor.ts); `cursor: null` ends the list. Each comes with its state as of today (`lapsed` once an open
 * consultation's deadline has passed), its summary and answers.
 */
import { CONSULTATION_PREFIX, consultationView, listConsultations, readThread } from '../consultations.ts';
import { openCursor, PageBudget, sealCursor, type CursorBinding } from '../cursor.ts';
import { today, type ActionContext, type ActionOutcome } from '../services.ts';

export interface ConsultationListBody { limit?: number; cursor?: string }

/** The last record key a page returned (a consultation id the caller was given). */
interface Position { after: string }

export async function consultationList(ctx: ActionContext, body: ConsultationListBody): Promise<ActionOutcome> {
  const { services } = ctx;
  const me = ctx.caller.agencyId;
  ctx.target.resource = `agency:${me}`;
  ctx.target.owner = me;
  const binding: CursorBinding = { act: 'consultation.list', caller: me, filters: {} };
  const pos = body.cursor ? await openCursor<Position>(services.cursorKeys, binding, body.cursor) : null;
  const limit = body.limit ?? 50;
  // One more than the page holds: whether another page exists is known without a trailing empty page.
  const records = await listConsultations(services.store, me, pos?.after, limit + 1);
  const day = today(ctx.now);
  const page = new PageBudget(limit);
  const consultations: Record<string, unknown>[] = [];
  let last: string | undefined;
  let more = false;
  for (const r of records) {
    if (page.full) {
      more = true;
      break;
    }
    const view = consultationView(r.c, r.side, await readThread(services.cipher, me, r), day);
    if (!page.admit(view)) {
      more = true;
      break;
    }
    consultations.push(view);
    last = r.sk;
  }
  const cursor = more && last?.startsWith(CONSULTATION_PREFIX) ? await sealCursor(services.cursorKeys, binding, { after: last } satisfies Position) : null;
  ctx.target.details = { returned: consultations.length };
  return { status: 200, result: { consultations, cursor }, writes: [] };
}
