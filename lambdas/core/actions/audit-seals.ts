/** `audit.seals`: a range of seals (at most 100 per call), optionally with their leaf hashes, so any auditor can rebuild every root. */
import { refuse } from '../errors.ts';
import { getSeal, getSealHead } from '../seals.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';

const MAX_SEALS = 100;

export async function auditSeals(ctx: ActionContext, body: { fromSeq: number; toSeq?: number; leaves?: boolean }): Promise<ActionOutcome> {
  const { store } = ctx.services;
  const head = await getSealHead(store);
  const last = head ? head.last : -1;
  const to = Math.min(body.toSeq ?? last, last, body.fromSeq + MAX_SEALS - 1);
  if (body.toSeq !== undefined && body.toSeq < body.fromSeq) refuse('ERR_BODY_INVALID', 'toSeq is before fromSeq', [{ pointer: '/body/toSeq', detail: 'before fromSeq' }]);
  const seals = [];
  for (let seq = body.fromSeq; seq <= to; seq++) {
    const s = await getSeal(store, seq);
    if (!s) refuse('ERR_DEPENDENCY_FAILED', `seal ${seq} is missing from storage`);
    seals.push(s);
  }
  ctx.target.details = { fromSeq: body.fromSeq, toSeq: to, count: seals.length };
  return {
    status: 200,
    result: { seals: seals.map((s) => s.jws), ...(body.leaves ? { leaves: seals.map((s) => s.leaves) } : {}) },
    writes: [],
  };
}
