/**
 * `agreement.list`: the caller's own agreements — those it gave (owner = caller: its registry partition, strongly
 * consistent) and those it received (partner = caller: the registry's `inverted` index, so a grant made a moment ago
 * may take a moment to appear) — a page at a time: given first by type and partner, then received by type and
 * owner. Capped by `limit` and by bytes (cursor.ts); `cursor: null` ends the list. Names nothing the caller is not
 * a party to, and no document content.
 */
import { agencyPk } from '../agencies.ts';
import { agreementFromRecord, GRANT_PREFIX, type DocumentType } from '../agreements.ts';
import { openCursor, PageBudget, sealCursor, type CursorBinding } from '../cursor.ts';
import type { StoredRecord } from '../ports.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';

export interface AgreementListBody { limit?: number; cursor?: string }

/** The parts of the list, in order: given (every type), then received of each type (sort keys order them). */
const PARTS: readonly (null | DocumentType)[] = [null, 'denial', 'euc', 'license', 'psv'];

/** The part a page stopped in, and the last key it returned there (none: the part starts from its beginning). */
interface Position { part: number; after?: string }

type Row = { key: string; agreement: ReturnType<typeof agreementFromRecord> };

/** Up to `limit` rows of one part after `after`, in key order. */
async function readPart(ctx: ActionContext, part: number, after: string | undefined, limit: number): Promise<Row[]> {
  const me = ctx.caller.agencyId;
  const { store } = ctx.services;
  const type = PARTS[part];
  if (!type) {
    const recs = await store.queryPage('registry', { pk: agencyPk(me), skPrefix: GRANT_PREFIX, ...(after ? { after } : {}), limit });
    return recs.map((r) => ({ key: r.sk!, agreement: agreementFromRecord(r) }));
  }
  const recs: StoredRecord[] = [];
  let next: string | undefined;
  do {
    const page = await store.queryIndex('registry', { index: 'inverted', partition: `${GRANT_PREFIX}${type}#${me}`, ...(after ? { after } : {}), limit: limit - recs.length, ...(next ? { next } : {}) });
    recs.push(...page.records);
    next = page.next;
  } while (next && recs.length < limit);
  return recs.map((r) => ({ key: r.pk, agreement: agreementFromRecord(r) }));
}

export async function agreementList(ctx: ActionContext, body: AgreementListBody): Promise<ActionOutcome> {
  const me = ctx.caller.agencyId;
  ctx.target.resource = `agency:${me}`;
  ctx.target.owner = me;
  const binding: CursorBinding = { act: 'agreement.list', caller: me, filters: {} };
  const start = body.cursor ? await openCursor<Position>(ctx.services.cursorKeys, binding, body.cursor) : { part: 0 };
  const limit = body.limit ?? 100;
  const page = new PageBudget(limit);
  const agreements: Row['agreement'][] = [];
  let stop: Position | null = null;
  for (let part = start.part; part < PARTS.length && !stop; part++) {
    let after = part === start.part ? start.after : undefined;
    // One more than the page still holds: a further page is known without a trailing empty one.
    for (const row of await readPart(ctx, part, after, limit - agreements.length + 1)) {
      if (!page.admit(row.agreement)) {
        stop = { part, ...(after ? { after } : {}) };
        break;
      }
      agreements.push(row.agreement);
      after = row.key;
    }
  }
  const cursor = stop ? await sealCursor(ctx.services.cursorKeys, binding, { ...stop }) : null;
  ctx.target.details = { returned: agreements.length };
  return { status: 200, result: { agreements, cursor }, writes: [] };
}
