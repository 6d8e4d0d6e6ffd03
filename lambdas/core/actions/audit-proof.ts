/** `audit.proof`: an event in the caller's scope, the seal that covers it, and its RFC 9162 inclusion path. */
import { eventFromAttrs } from '../audit.ts';
import { inScope } from '../audit-scope.ts';
import { refuse } from '../errors.ts';
import { b64url, inclusionPath } from '../merkle.ts';
import { getSeal } from '../seals.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';

export async function auditProof(ctx: ActionContext, body: { eventId: string }): Promise<ActionOutcome> {
  const { store } = ctx.services;
  ctx.target.resource = `event:${body.eventId}`;
  const rec = await store.get('audit', body.eventId);
  // out of scope reads as absent: an `own` auditor learns nothing about other countries' events
  const event = rec && typeof rec.attrs.event === 'string' ? eventFromAttrs(rec.attrs) : null;
  if (!event || !inScope(ctx.caller, event)) refuse('ERR_NOT_FOUND', `no event ${body.eventId} in your scope`);
  if (typeof rec!.attrs.seq !== 'number') refuse('ERR_NOT_FOUND', `event ${body.eventId} is not sealed yet; seals are made every minute`);
  const seq = rec!.attrs.seq;
  const leafIndex = Number(rec!.attrs.leafIndex);
  const seal = await getSeal(store, seq);
  if (!seal || seal.ids[leafIndex] !== event.id) refuse('ERR_NOT_FOUND', `seal ${seq} does not list event ${body.eventId}`);
  const path = inclusionPath(leafIndex, seal.leaves.map((l) => Buffer.from(l, 'base64url'))).map(b64url);
  ctx.target.details = { seq };
  return { status: 200, result: { event, seal: seal.jws, leafIndex, path }, writes: [] };
}
