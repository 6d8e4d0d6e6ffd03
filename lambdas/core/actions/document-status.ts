/**
 * `license.status` / `euc.status`: the owner suspends, reactivates or revokes its document,
 * with a reason (stored encrypted: it may name parties). Revoked is final.
 */
import { encryptAt, getCurrent, headWrite, HEAD_SK, KINDS, type DocumentKind, type DocumentStatus } from '../documents.ts';
import { refuse } from '../errors.ts';
import { statusNotice } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';

export function setDocumentStatus(kind: DocumentKind) {
  const spec = KINDS[kind];
  return async (ctx: ActionContext, body: { status: DocumentStatus; reason: string } & Record<string, unknown>): Promise<ActionOutcome> => {
    const issuer = ctx.caller.agencyId;
    const id = body[spec.idField] as string;
    ctx.target.resource = `${kind}:${issuer}/${id}`;
    ctx.target.owner = issuer;
    // Looked up under the caller's own id: another agency's document is simply not found.
    const current = await getCurrent(ctx.services.store, spec, issuer, id);
    if (!current) refuse('ERR_NOT_FOUND', `${issuer} has no ${kind} ${id}`);
    const { head } = current;
    if (head.status === 'revoked') refuse('ERR_CONFLICT', `${kind} ${id} is revoked; revocation is final`);
    const changedAt = isoNow(ctx.now);
    const attrs = { ...head.attrs, status: body.status, changedAt, reason: await encryptAt(ctx.services.cipher, spec, issuer, id, HEAD_SK, 'reason', body.reason) };
    ctx.target.details = { from: head.status, to: body.status };
    return {
      status: 200,
      result: { [spec.idField]: id, status: body.status, reason: body.reason, changedAt },
      // the partners' notifications commit with the change (protocol.md §10)
      writes: [headWrite(spec, issuer, id, attrs, head.ver), ...await outboxWrites(ctx, [statusNotice(kind, issuer, id, { status: body.status, previous: head.status, changedAt, reason: body.reason })])],
      // a concurrent drawdown or publish changed the head: re-read and apply again
      retryOnConflict: true,
    };
  };
}
