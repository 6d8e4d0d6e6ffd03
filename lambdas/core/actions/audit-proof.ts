/** `audit.proof`: an event in the caller's scope, the seal that covers it, and its RFC 9162 inclusion path. */
import { malformedItems, storedEvent } from '../audit.ts';
import { inScope } from '../audit-scope.ts';
import { refuse } from '../errors.ts';
import { b64url, inclusionPath } from '../merkle.ts';
import { sealsOverlapping } from '../seal-index.ts';
import { getSeal, sealFrom, sealPk, type StoredSeal } from '../seals.ts';
import type { Store } from '../ports.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';

/** The seal holding event `id` (of ts `ts`), and where: found through the seal index, or on the item of an event sealed before it. */
async function sealOf(store: Store, id: string, ts: string, legacySeq: unknown): Promise<{ seal: StoredSeal; leafIndex: number } | null> {
  if (typeof legacySeq === 'number') {
    const seal = await getSeal(store, legacySeq);
    const leafIndex = seal?.ids.indexOf(id) ?? -1;
    return seal && leafIndex >= 0 ? { seal, leafIndex } : null;
  }
  const spans = (await sealsOverlapping(store, ts, ts)).sort((a, b) => a.seq - b.seq);
  for (const span of spans) {
    const r = await store.get('audit', sealPk(span.seq));
    const seal = r ? sealFrom(r) : null;
    const leafIndex = seal?.ids.indexOf(id) ?? -1;
    if (seal && leafIndex >= 0) return { seal, leafIndex };
  }
  return null;
}

export async function auditProof(ctx: ActionContext, body: { eventId: string }): Promise<ActionOutcome> {
  const { store } = ctx.services;
  ctx.target.resource = `event:${body.eventId}`;
  const rec = await store.get('audit', body.eventId);
  // out of scope reads as absent: an `own` auditor learns nothing about other countries' events
  const event = rec ? storedEvent(rec.pk, rec.attrs) : null;
  // an item holding no event is no event of the log (it is in no seal): absent, and the operator alarmed
  if (rec && !event) ctx.services.telemetry.integrityFailed(malformedItems('audit.proof', [rec.pk]));
  if (!event || !inScope(ctx.caller, event)) refuse('ERR_NOT_FOUND', `no event ${body.eventId} in your scope`);
  const found = await sealOf(store, event!.id, event!.ts, rec!.attrs.seq);
  if (!found) refuse('ERR_NOT_FOUND', `event ${body.eventId} is not sealed yet; events are sealed within seconds of their write`);
  const { seal, leafIndex } = found!;
  const path = inclusionPath(leafIndex, seal.leaves.map((l) => Buffer.from(l, 'base64url'))).map(b64url);
  ctx.target.details = { seq: seal.seq };
  return { status: 200, result: { event, seal: seal.jws, leafIndex, path }, writes: [] };
}
