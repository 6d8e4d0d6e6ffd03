/**
 * `delivery.list`: the delivery confirmations recorded against a license, a page at a time (protocol.md §5). The
 * issuer sees every confirmation and, on the first page, each line's shipped (Σ drawdowns, the balance record),
 * delivered (Σ confirmations, the agencies' totals records) and outstanding quantities with their flags (delivery-
 * summary.ts). A confirming agency, with `confirm`, sees only its own confirmations and its own delivered totals.
 * Pages are in storage order (agency, then import declaration id), capped by `limit` and by bytes (cursor.ts).
 */
import { openCursor, PageBudget, sealCursor, type CursorBinding } from '../cursor.ts';
import { deliveredSk, DELIVERY_PREFIX, deliveryView, readDelivery, readTotals } from '../deliveries.ts';
import { docPk, getCurrent, KINDS, type DocumentHead } from '../documents.ts';
import { refuse } from '../errors.ts';
import type { StoredRecord } from '../ports.ts';
import type { ActionContext, ActionOutcome } from '../services.ts';
import { issuerSummary } from './delivery-summary.ts';
import { partnerDocument } from './partner-access.ts';

export interface DeliveryListBody { issuer?: string; licenseId: string; limit?: number; cursor?: string }

/** The last confirmation's sort key a page returned. */
interface Position { after: string }

const spec = KINDS.license;

export async function deliveryList(ctx: ActionContext, body: DeliveryListBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const issuer = body.issuer ?? caller.agencyId;
  const asIssuer = issuer === caller.agencyId;
  let head: DocumentHead;
  let balance: StoredRecord | null = null;
  if (asIssuer) {
    // Under the caller's own id, like license.drawdowns: another agency's license is simply not found.
    if (!caller.roles.includes('licensing')) refuse('ERR_BODY_INVALID', 'issuer is required: name the license issuer whose license you confirmed deliveries for', [{ pointer: '/body/issuer', detail: 'is required' }]);
    ctx.target.resource = `license:${issuer}/${body.licenseId}`;
    ctx.target.owner = issuer;
    const current = await getCurrent(services.store, spec, issuer, body.licenseId);
    if (!current) refuse('ERR_NOT_FOUND', `${issuer} has no license ${body.licenseId}`);
    ({ head, balance } = current);
  } else {
    ({ head } = await partnerDocument(ctx, 'license', issuer, body.licenseId, 'confirm'));
  }

  const binding: CursorBinding = { act: 'delivery.list', caller: caller.agencyId, filters: { issuer, licenseId: body.licenseId } };
  const pos = body.cursor ? await openCursor<Position>(services.cursorKeys, binding, body.cursor) : null;
  const pk = docPk(spec, issuer, body.licenseId);
  const result: Record<string, unknown> = { issuer, licenseId: body.licenseId, version: head.version };

  // The line summary comes with the first page only: later pages cost no more than their confirmations.
  if (!pos) {
    if (asIssuer) {
      Object.assign(result, await issuerSummary(ctx, head, balance));
    } else {
      const { totals } = await readTotals(services.cipher, issuer, body.licenseId, await services.store.get('documents', pk, deliveredSk(caller.agencyId)));
      result.lines = Object.entries(totals).map(([line, t]) => ({ line: Number(line), delivered: t.delivered })).sort((a, b) => a.line - b.line);
    }
  }

  const limit = body.limit ?? 100;
  const prefix = asIssuer ? DELIVERY_PREFIX : `${DELIVERY_PREFIX}${caller.agencyId}#`;
  // One more than the page holds: whether another page exists is known without a trailing empty page.
  const records = await services.store.queryPage('documents', { pk, skPrefix: prefix, ...(pos ? { after: pos.after } : {}), limit: limit + 1 });
  const page = new PageBudget(limit);
  const confirmations: Record<string, unknown>[] = [];
  let last: string | undefined;
  let more = false;
  for (const r of records) {
    const view = page.full ? null : deliveryView(await readDelivery(services.cipher, issuer, body.licenseId, r), asIssuer);
    if (!view || !page.admit(view)) {
      more = true;
      break;
    }
    confirmations.push(view);
    last = r.sk;
  }
  result.confirmations = confirmations;
  result.cursor = more && last ? await sealCursor(services.cursorKeys, binding, { after: last } satisfies Position) : null;
  ctx.target.details = { returned: confirmations.length };
  return { status: 200, result, writes: [] };
}

