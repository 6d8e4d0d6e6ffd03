/**
 * `license.status`: the owner suspends, reactivates or revokes its license, with a reason
 * (stored encrypted: it may name parties). Revoked is final.
 */
import { CorridorError, refuse } from '../errors.ts';
import { fieldAad, getLicenseHead, headWrite, HEAD_SK, licensePk, licenseScope, type DocumentStatus } from '../licenses.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';

export interface StatusBody { licenseId: string; status: DocumentStatus; reason: string }

export async function licenseStatus(ctx: ActionContext, body: StatusBody): Promise<ActionOutcome> {
  const issuer = ctx.caller.agencyId;
  ctx.target.resource = `license:${issuer}/${body.licenseId}`;
  ctx.target.owner = issuer;
  // Looked up under the caller's own id: another agency's license is simply not found.
  const head = await getLicenseHead(ctx.services.store, issuer, body.licenseId);
  if (!head) refuse('ERR_NOT_FOUND', `${issuer} has no license ${body.licenseId}`);
  if (head.status === 'revoked') refuse('ERR_CONFLICT', `license ${body.licenseId} is revoked; revocation is final`);
  const changedAt = isoNow(ctx.now);
  const pk = licensePk(issuer, body.licenseId);
  const attrs = {
    ...head.attrs,
    status: body.status,
    changedAt,
    reason: await ctx.services.cipher.encrypt(body.reason, licenseScope(issuer), fieldAad(pk, HEAD_SK, 'reason')),
  };
  ctx.target.details = { from: head.status, to: body.status };
  return {
    status: 200,
    result: { licenseId: body.licenseId, status: body.status, reason: body.reason, changedAt },
    writes: [headWrite(issuer, body.licenseId, attrs, head.ver)],
    onConflict: () => new CorridorError('ERR_CONFLICT', `license ${body.licenseId} changed concurrently; retry`),
  };
}
