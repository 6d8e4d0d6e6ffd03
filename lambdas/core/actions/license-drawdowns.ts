/** `license.drawdowns`: the issuing authority lists every drawdown recorded against one of its licenses. */
import { decryptAt, docPk, DRAWDOWN_PREFIX, getCurrent, KINDS } from '../documents.ts';
import { refuse } from '../errors.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';
import type { StoredDrawdown } from './license-drawdown.ts';

export async function licenseDrawdowns(ctx: ActionContext, body: { licenseId: string }): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const issuer = caller.agencyId;
  ctx.target.resource = `license:${issuer}/${body.licenseId}`;
  ctx.target.owner = issuer;
  // Under the caller's own id: another agency's license is simply not found.
  if (!(await getCurrent(services.store, KINDS.license, issuer, body.licenseId))) refuse('ERR_NOT_FOUND', `${issuer} has no license ${body.licenseId}`);
  const records = await services.store.query('documents', docPk(KINDS.license, issuer, body.licenseId), DRAWDOWN_PREFIX);
  const drawdowns = await Promise.all(
    records.map(async (r) => {
      const s = JSON.parse((await decryptAt(services.cipher, KINDS.license, issuer, body.licenseId, r, 'record'))!) as StoredDrawdown;
      return { declarationId: s.declarationId, agency: s.agency, date: s.date, lines: s.lines, recordedAt: s.recordedAt };
    }),
  );
  drawdowns.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.declarationId.localeCompare(b.declarationId));
  ctx.target.details = { count: drawdowns.length };
  return { status: 200, result: { licenseId: body.licenseId, drawdowns }, writes: [] };
}
