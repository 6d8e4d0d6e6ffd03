/**
 * `license.drawdowns`: the issuing authority lists the drawdowns recorded against one of its licenses, a page at a
 * time in storage-key order (customs agency, then declaration id: one strongly consistent Query per page, no index),
 * capped by `limit` and by bytes (cursor.ts). A body with only `licenseId` gets the first page; `cursor: null` ends.
 */
import { openCursor, PageBudget, sealCursor, type CursorBinding } from '../cursor.ts';
import { decryptAt, docPk, DRAWDOWN_PREFIX, getCurrent, KINDS } from '../documents.ts';
import { refuse } from '../errors.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';
import type { StoredDrawdown } from './license-drawdown.ts';

export interface DrawdownsBody { licenseId: string; limit?: number; cursor?: string }

/** The last drawdown's sort key a page returned (a key the caller was given: its agency and declaration id). */
interface Position { after: string }

const spec = KINDS.license;

export async function licenseDrawdowns(ctx: ActionContext, body: DrawdownsBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const issuer = caller.agencyId;
  ctx.target.resource = `license:${issuer}/${body.licenseId}`;
  ctx.target.owner = issuer;
  const binding: CursorBinding = { act: 'license.drawdowns', caller: issuer, filters: { licenseId: body.licenseId } };
  const pos = body.cursor ? await openCursor<Position>(services.cursorKeys, binding, body.cursor) : null;
  // Under the caller's own id: another agency's license is simply not found.
  if (!(await getCurrent(services.store, spec, issuer, body.licenseId))) refuse('ERR_NOT_FOUND', `${issuer} has no license ${body.licenseId}`);

  const limit = body.limit ?? 100;
  // One more than the page holds: whether another page exists is known without a trailing empty page.
  const records = await services.store.queryPage('documents', { pk: docPk(spec, issuer, body.licenseId), skPrefix: DRAWDOWN_PREFIX, ...(pos ? { after: pos.after } : {}), limit: limit + 1 });
  const page = new PageBudget(limit);
  const drawdowns = [];
  let last: string | undefined;
  let more = false;
  for (const r of records) {
    if (page.full) {
      more = true;
      break;
    }
    const s = JSON.parse((await decryptAt(services.cipher, spec, issuer, body.licenseId, r, 'record'))!) as StoredDrawdown;
    const d = { declarationId: s.declarationId, agency: s.agency, date: s.date, lines: s.lines, recordedAt: s.recordedAt };
    if (!page.admit(d)) {
      more = true;
      break;
    }
    drawdowns.push(d);
    last = r.sk;
  }
  const cursor = more && last ? await sealCursor(services.cursorKeys, binding, { after: last } satisfies Position) : null;
  ctx.target.details = { count: drawdowns.length };
  return { status: 200, result: { licenseId: body.licenseId, drawdowns, cursor }, writes: [] };
}
