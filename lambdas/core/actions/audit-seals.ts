/**
 * `audit.seals`: a range of seals, optionally with their leaf hashes, so any auditor can rebuild every root. At most
 * 100 seals and the byte cap (cursor.ts) per answer — 100 seals of 2,000 leaves would be ~9 MB, past Lambda's 6 MB
 * response limit — so an answer may stop early; `next` is the first seq it left out (null when the range is done).
 */
import { PageBudget } from '../cursor.ts';
import { refuse } from '../errors.ts';
import { getSeal, getSealHead, type StoredSeal } from '../seals.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';

const MAX_SEALS = 100;

export async function auditSeals(ctx: ActionContext, body: { fromSeq: number; toSeq?: number; leaves?: boolean }): Promise<ActionOutcome> {
  const { store } = ctx.services;
  if (body.toSeq !== undefined && body.toSeq < body.fromSeq) refuse('ERR_BODY_INVALID', 'toSeq is before fromSeq', [{ pointer: '/body/toSeq', detail: 'before fromSeq' }]);
  const head = await getSealHead(store);
  const last = Math.min(body.toSeq ?? Number.MAX_SAFE_INTEGER, head ? head.last : -1);
  const page = new PageBudget(MAX_SEALS);
  const seals: StoredSeal[] = [];
  for (let seq = body.fromSeq; seq <= last && !page.full; seq++) {
    const s = await getSeal(store, seq);
    if (!s) refuse('ERR_DEPENDENCY_FAILED', `seal ${seq} is missing from storage`);
    if (!page.admit(body.leaves ? [s.jws, s.leaves] : s.jws)) break;
    seals.push(s);
  }
  const following = body.fromSeq + seals.length;
  const next = following <= last ? following : null;
  ctx.target.details = { fromSeq: body.fromSeq, toSeq: following - 1, count: seals.length };
  return {
    status: 200,
    result: { seals: seals.map((s) => s.jws), ...(body.leaves ? { leaves: seals.map((s) => s.leaves) } : {}), next },
    writes: [],
  };
}
