/** `corridor license drawdown` (customs) and `corridor license drawdowns` (the issuing authority). */
import type { LicenseDrawdownsResult } from '../../../lambdas/client/types.generated.ts';
import { client, list, parse, str, UsageError } from '../context.ts';
import { show } from '../output.ts';
import { PAGE_OPTIONS, pageLimit, pages } from '../pages.ts';

export const drawdownHelp = `corridor license drawdown --as CUSTOMS --issuer ISSUER --license ID --declaration DECL --date YYYY-MM-DD --line LINE=QTY...
  Records a declaration against license lines: all lines or none; resending the same declaration is safe.
  Example: corridor license drawdown --as NL-DOUANE --issuer DE-BAFA --license DE-2026-000123 --declaration NL-2026-0001 --date 2026-11-22 --line 1=5`;

export const drawdownsHelp = `corridor license drawdowns --as ISSUER --license ID [--limit N] [--cursor CURSOR] [--json]
  Every drawdown recorded against one of your licenses, with the customs agency and declaration, by customs agency
  then declaration id. Follows the exchange's pages (--limit per page, default 100; progress on stderr);
  --cursor CURSOR fetches only the page there (the answer names the next cursor).
  Example: corridor license drawdowns --as DE-BAFA --license DE-2026-000123`;

export async function drawdown(argv: string[]): Promise<number> {
  const v = parse(argv, { issuer: { type: 'string' }, license: { type: 'string' }, declaration: { type: 'string' }, date: { type: 'string' }, line: { type: 'string', multiple: true } }, ['issuer', 'license', 'declaration', 'date', 'line', 'as']);
  const items = list(v, 'line').map((s) => {
    const m = /^(\d+)=(\d+)$/.exec(s);
    if (!m) throw new UsageError(`--line ${s}: expected LINE=QUANTITY`);
    return { line: Number(m[1]), quantity: Number(m[2]) };
  });
  if (!items.length) throw new UsageError('at least one --line LINE=QUANTITY is required');
  const body = { issuer: str(v, 'issuer')!, licenseId: str(v, 'license')!, declarationId: str(v, 'declaration')!, date: str(v, 'date')!, items };
  return show(await (await client(v)).call('license.drawdown', body), !!v.json, (r) => [
    `declaration ${r.declarationId} ${r.replayed ? 'was already recorded (nothing drawn again)' : 'recorded'}`,
    ...r.lines.map((l) => `  line ${l.line}: drew ${l.drawn}, ${l.remaining} remaining`),
  ]);
}

export async function listDrawdowns(argv: string[]): Promise<number> {
  const v = parse(argv, { license: { type: 'string' }, ...PAGE_OPTIONS }, ['license', 'as']);
  const body = { licenseId: str(v, 'license')!, ...pageLimit(v.limit, (m) => new UsageError(m)) };
  const c = await client(v);
  const { answer, extra } = await pages<LicenseDrawdownsResult, 'drawdowns'>((cursor) => c.call('license.drawdowns', { ...body, ...(cursor ? { cursor } : {}) }), 'drawdowns', 'drawdown', str(v, 'cursor', false));
  return show(answer, !!v.json, (r) => [
    `license ${r.licenseId}: ${r.drawdowns.length} drawdown(s)`,
    ...r.drawdowns.map((d) => `  ${d.recordedAt} ${d.agency} ${d.declarationId} (${d.date}): ${d.lines.map((l) => `line ${l.line} × ${l.drawn}`).join(', ')}`),
    ...(r.cursor ? [`  more: --cursor ${r.cursor}`] : []),
  ], extra);
}
