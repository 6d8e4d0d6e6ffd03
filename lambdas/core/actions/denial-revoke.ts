/**
 * `denial.revoke`: the issuer withdraws its denial, with a reason (stored encrypted: it may name parties).
 * Final: a revoked denial is neither revoked again nor amended (409). `revocationWrites` is shared with
 * consultation.answer `withdrawn`, which revokes in the same transaction as the answer.
 */
import { denialHeadWrite, denialResource, encryptDenialField, getDenial, HEAD_SK, type DenialHead } from '../denials.ts';
import { refuse } from '../errors.ts';
import type { CoreServices } from '../services.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';
import { feedWrites, readFeedHead } from '../screening/denial-feed.ts';
import type { Write } from '../ports.ts';
import { denialNotice } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';

/** The writes that revoke `head`: its head record, and the feed entry that takes it out of every index. */
export async function revocationWrites(services: CoreServices, head: DenialHead, reason: string, changedAt: string): Promise<Write[]> {
  const attrs = { ...head.attrs, status: 'revoked', changedAt, reason: await encryptDenialField(services.cipher, head.issuer, head.denialId, HEAD_SK, 'reason', reason) };
  const feed = await feedWrites(services.cipher, await readFeedHead(services.store), {
    issuer: head.issuer, denialId: head.denialId, version: head.version, digest: head.digest, validUntil: head.validUntil, status: 'revoked',
  }, changedAt);
  return [denialHeadWrite(head.issuer, head.denialId, attrs, head.ver), ...feed];
}

export async function denialRevoke(ctx: ActionContext, body: { denialId: string; reason: string }): Promise<ActionOutcome> {
  const me = ctx.caller.agencyId;
  ctx.target.resource = denialResource(me, body.denialId);
  ctx.target.owner = me;
  // Under the caller's own id: another authority's denial is simply not found.
  const head = await getDenial(ctx.services.store, me, body.denialId);
  if (!head) refuse('ERR_NOT_FOUND', `${me} has no denial ${body.denialId}`);
  if (head.status === 'revoked') refuse('ERR_CONFLICT', `denial ${body.denialId} is already revoked; revocation is final`);
  const changedAt = isoNow(ctx.now);
  ctx.target.details = { version: head.version, from: head.status, to: 'revoked' };
  return {
    status: 200,
    result: { denialId: body.denialId, status: 'revoked', reason: body.reason, changedAt },
    writes: [
      ...await revocationWrites(ctx.services, head, body.reason, changedAt),
      ...await outboxWrites(ctx, [denialNotice(me, body.denialId, { status: 'revoked', version: head.version, changedAt })]),
    ],
    retryOnConflict: true,
  };
}
