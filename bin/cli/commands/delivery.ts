/** `corridor delivery confirm` (customs of the destination country) and `corridor delivery list` (the issuer, or a confirming agency). */
import type { DeliveryConfirmRequest, DeliveryListResult } from '../../../lambdas/client/types.generated.ts';
import { client, list, parse, str, UsageError, type Values } from '../context.ts';
import { show } from '../output.ts';
import { PAGE_OPTIONS, pageLimit, pages } from '../pages.ts';

export const confirmHelp = `corridor delivery confirm --as CUSTOMS --issuer ISSUER --license ID --declaration IMPORT-DECL --date YYYY-MM-DD
                         --line LINE=QTY... --consignee NAME --end-user NAME [--euc ISSUER/EUC-ID]
  Confirms that goods shipped under a partner's license arrived: the import declaration, its date, the license lines
  received, and the consignee and end user as declared on import. Needs confirm from the issuer; resending the same
  declaration is safe (answered as a replay), other content for it is refused.
  Example: corridor delivery confirm --as SG-CUSTOMS --issuer DE-BAFA --license DE-2026-000123 --declaration SG-IMP-2026-0001 --date 2026-11-25 --line 1=5 --consignee "Lumen Trading Pte Ltd" --end-user "Straits Photonics Lab"`;

export const listHelp = `corridor delivery list --as AGENCY --license ID [--issuer ISSUER] [--limit N] [--cursor CURSOR] [--json]
  The issuer: per license line shipped (drawdowns), delivered (confirmations), outstanding, and the flags
  over-delivered, consignee-mismatch, end-user-mismatch and not-delivered (N days after shipment), then every
  confirmation. A confirming agency (--issuer names the license's issuer): its own confirmations only. Follows the
  exchange's pages (--limit per page, default 100; progress on stderr); --cursor CURSOR fetches only the page there.
  Example: corridor delivery list --as DE-BAFA --license DE-2026-000123`;

/** `LINE=QTY` options as items. */
export function lineItems(v: Values, name = 'line'): { line: number; quantity: number }[] {
  const items = list(v, name).map((s) => {
    const m = /^(\d+)=(\d+)$/.exec(s);
    if (!m) throw new UsageError(`--${name} ${s}: expected LINE=QUANTITY`);
    return { line: Number(m[1]), quantity: Number(m[2]) };
  });
  if (!items.length) throw new UsageError(`at least one --${name} LINE=QUANTITY is required`);
  return items;
}

/** `--euc ISSUER/EUC-ID` as an eucRef. */
export function eucRef(v: Values): { eucRef?: { issuer: string; eucId: string } } {
  const s = str(v, 'euc', false);
  if (!s) return {};
  const m = /^([^/]+)\/(.+)$/.exec(s);
  if (!m) throw new UsageError(`--euc ${s}: expected ISSUER/EUC-ID`);
  return { eucRef: { issuer: m[1]!, eucId: m[2]! } };
}

export async function confirm(argv: string[]): Promise<number> {
  const v = parse(argv, {
    issuer: { type: 'string' }, license: { type: 'string' }, declaration: { type: 'string' }, date: { type: 'string' }, line: { type: 'string', multiple: true },
    consignee: { type: 'string' }, 'end-user': { type: 'string' }, euc: { type: 'string' },
  }, ['issuer', 'license', 'declaration', 'date', 'line', 'consignee', 'end-user', 'as']);
  const body: DeliveryConfirmRequest = {
    issuer: str(v, 'issuer')!, licenseId: str(v, 'license')!, importDeclarationId: str(v, 'declaration')!, date: str(v, 'date')!, items: lineItems(v),
    consignee: { name: str(v, 'consignee')! }, endUser: { name: str(v, 'end-user')! }, ...eucRef(v),
  };
  return show(await (await client(v)).call('delivery.confirm', body), !!v.json, (r) => [
    `import declaration ${r.importDeclarationId} ${r.replayed ? 'was already confirmed (nothing recorded again)' : 'confirmed'} against ${r.issuer}/${r.licenseId}`,
    ...r.lines.map((l) => `  line ${l.line}: ${l.quantity} received`),
  ]);
}

export async function listDeliveries(argv: string[]): Promise<number> {
  const v = parse(argv, { license: { type: 'string' }, issuer: { type: 'string' }, ...PAGE_OPTIONS }, ['license', 'as']);
  const issuer = str(v, 'issuer', false);
  const body = { licenseId: str(v, 'license')!, ...(issuer ? { issuer } : {}), ...pageLimit(v.limit, (m) => new UsageError(m)) };
  const c = await client(v);
  // The line summary comes with the first page; pages() keeps the last page's result, so it is carried over.
  let summary: Pick<DeliveryListResult, 'lines' | 'aging'> = {};
  const { answer, extra } = await pages<DeliveryListResult, 'confirmations'>(async (cursor) => {
    const a = await c.call('delivery.list', { ...body, ...(cursor ? { cursor } : {}) });
    if (a.result && 'lines' in a.result) summary = { ...(a.result.lines ? { lines: a.result.lines } : {}), ...(a.result.aging ? { aging: a.result.aging } : {}) };
    return a;
  }, 'confirmations', 'confirmation', str(v, 'cursor', false));
  if (answer.result) answer.result = { ...answer.result, ...summary };
  return show(answer, !!v.json, (r) => [
    `license ${r.issuer}/${r.licenseId} (version ${r.version}): ${r.confirmations.length} confirmation(s)`,
    ...(r.lines ?? []).map((l) => l.shipped === undefined
      ? `  line ${l.line}: ${l.delivered} delivered by you`
      : `  line ${l.line}${l.controlCode ? ` ${l.controlCode}` : ''}: shipped ${l.shipped}, delivered ${l.delivered}, outstanding ${l.outstanding}${l.flags?.length ? `  ⚠ ${l.flags.join(', ')}` : ''}`),
    ...(r.aging ? [`  not-delivered: shipped on or before ${r.aging.shippedOnOrBefore} (${r.aging.notDeliveredAfterDays} days)${r.aging.complete ? '' : `, first ${r.aging.drawdownsExamined} drawdowns only`}`] : []),
    ...r.confirmations.map((d) => `  ${d.recordedAt} ${d.agency} ${d.importDeclarationId} (${d.date}): ${d.lines.map((l) => `line ${l.line} × ${l.quantity}`).join(', ')}${d.flags?.length ? `  ⚠ ${d.flags.join(', ')}` : ''}`),
    ...(r.cursor ? [`  more: --cursor ${r.cursor}`] : []),
  ], extra);
}
