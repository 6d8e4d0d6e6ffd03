/** `corridor psv request | report | query`: post-shipment verification between a licensing authority and a checking agency. */
import { writeFileSync } from 'node:fs';
import { checkPsvReport, type PublishedKey } from '../../../lambdas/client/document-check.ts';
import { signDocument } from '../../../lambdas/client/signing.ts';
import type { PsvQueryResult, PsvRequestRequest } from '../../../lambdas/client/types.generated.ts';
import { client, identity, keyFile, list, parse, readJsonFile, str, UsageError } from '../context.ts';
import { EXIT, out, show } from '../output.ts';
import { PAGE_OPTIONS, pageLimit, pages } from '../pages.ts';
import { eucRef } from './delivery.ts';

export const requestHelp = `corridor psv request --as LICENSING --case ID --checker AGENCY --license ID --end-user NAME --end-user-country CC
                    [--end-user-address TEXT] --site-address TEXT --site-country CC [--site-name NAME]
                    --line LINE[=QTY]... --question TEXT... [--due YYYY-MM-DD] [--euc ISSUER/EUC-ID]
  Asks the checking agency (which granted you request on a psv agreement) to check on site the end use of goods
  shipped under one of your licenses. Due in 60 days unless --due; questions are stored encrypted.
  Example: corridor psv request --as DE-BAFA --case PSV-2026-001 --checker SG-MTI --license DE-2026-000123 --end-user "Straits Photonics Lab" --end-user-country SG --site-address "1 Fusionopolis Way" --site-country SG --line 1=5 --question "Are the cameras in the lab?"`;

export const reportHelp = `corridor psv report --as CHECKER --file REPORT.json [--key FILE | --kms-key KEY --kid KID] [--doc-key FILE]
  Signs the report JSON (schemas/psv-report.schema.json: caseId, requester, issuer, version, issuedAt, licenseId,
  outcome verified|not-verified|diverted|access-refused|unable, visitDate, itemsSeen, findings, and for a correction
  supersedes {version, digest}) as the checking agency (--doc-key, default the request key) and submits it.
  Example: corridor psv report --as SG-MTI --file .corridor/demo/PSV-2026-001.report.json`;

export const queryHelp = `corridor psv query --as AGENCY [--case ID [--requester AGENCY] [--version N] [--save-report FILE]] [--limit N] [--cursor CURSOR] [--json]
  With --case: the case's status (requested, overdue, reported), what was asked, and the report exactly as its
  reporter signed it, checked offline against the reporter's published keys (exit 1 if it does not verify). Without:
  your cases on both sides, following the exchange's pages (--limit per page, default 100).
  Example: corridor psv query --as DE-BAFA --case PSV-2026-001`;

export async function request(argv: string[]): Promise<number> {
  const v = parse(argv, {
    case: { type: 'string' }, checker: { type: 'string' }, license: { type: 'string' }, 'end-user': { type: 'string' }, 'end-user-country': { type: 'string' },
    'end-user-address': { type: 'string' }, 'site-address': { type: 'string' }, 'site-country': { type: 'string' }, 'site-name': { type: 'string' },
    line: { type: 'string', multiple: true }, question: { type: 'string', multiple: true }, due: { type: 'string' }, euc: { type: 'string' },
  }, ['case', 'checker', 'license', 'end-user', 'end-user-country', 'site-address', 'site-country', 'line', 'question', 'as']);
  const items = list(v, 'line').map((s) => {
    const m = /^(\d+)(?:=(\d+))?$/.exec(s);
    if (!m) throw new UsageError(`--line ${s}: expected LINE or LINE=QUANTITY`);
    return { line: Number(m[1]), ...(m[2] ? { quantity: Number(m[2]) } : {}) };
  });
  // Questions are free text: commas inside one are kept (each --question is one question).
  const q = v.question;
  const questions = (Array.isArray(q) ? q : [String(q)]).filter(Boolean);
  const address = str(v, 'end-user-address', false);
  const siteName = str(v, 'site-name', false);
  const due = str(v, 'due', false);
  const body: PsvRequestRequest = {
    caseId: str(v, 'case')!, checker: str(v, 'checker')!, licenseId: str(v, 'license')!, ...eucRef(v),
    endUser: { name: str(v, 'end-user')!, country: str(v, 'end-user-country')!, ...(address ? { address } : {}) },
    site: { address: str(v, 'site-address')!, country: str(v, 'site-country')!, ...(siteName ? { name: siteName } : {}) },
    items, questions, ...(due ? { dueDate: due } : {}),
  };
  return show(await (await client(v)).call('psv.request', body), !!v.json, (r) => [
    `case ${r.requester}/${r.caseId} ${r.replayed ? 'was already requested (nothing changed)' : 'requested'}: ${r.checker} to check license ${r.licenseId} by ${r.dueDate}`,
  ]);
}

export async function report(argv: string[]): Promise<number> {
  const v = parse(argv, { file: { type: 'string' }, 'doc-key': { type: 'string' } }, ['file', 'as']);
  const doc = readJsonFile(str(v, 'file')!);
  const docKey = v['doc-key'] ? keyFile(String(v['doc-key'])) : (await identity(v)).signer;
  const document = await signDocument(docKey, 'corridor-psv-report+jws', doc);
  return show(await (await client(v)).call('psv.report', { document }), !!v.json, (r) => [
    `report version ${r.version} on case ${r.requester}/${r.caseId} ${r.replayed ? 'was already stored' : 'stored'}`,
    `  digest ${r.digest} (a correction names it: "supersedes": {"version": ${r.version}, "digest": "${r.digest}"})`,
  ]);
}

type Case = PsvQueryResult['cases'][number];
const caseLine = (c: Case): string => `  ${c.requester}/${c.caseId} → ${c.checker}, license ${c.licenseId}: ${c.status.toUpperCase()} (due ${c.dueDate})${c.reportVersion ? `, report v${c.reportVersion}` : ''}`;

export async function query(argv: string[]): Promise<number> {
  const v = parse(argv, { case: { type: 'string' }, requester: { type: 'string' }, version: { type: 'string' }, 'save-report': { type: 'string' }, ...PAGE_OPTIONS }, ['as']);
  const caseId = str(v, 'case', false);
  const c = await client(v);
  if (!caseId) {
    for (const flag of ['requester', 'version', 'save-report']) if (v[flag] !== undefined) throw new UsageError(`--${flag} goes with --case`);
    const { answer, extra } = await pages<PsvQueryResult, 'cases'>((cursor) => c.call('psv.query', { ...pageLimit(v.limit, (m) => new UsageError(m)), ...(cursor ? { cursor } : {}) }), 'cases', 'case', str(v, 'cursor', false));
    return show(answer, !!v.json, (r) => [`${r.cases.length} case(s)`, ...r.cases.map(caseLine), ...(r.cursor ? [`  more: --cursor ${r.cursor}`] : [])], extra);
  }
  const version = v.version === undefined ? undefined : Number(v.version);
  if (version !== undefined && !(Number.isInteger(version) && version >= 1)) throw new UsageError('--version must be a positive integer');
  const requester = str(v, 'requester', false);
  const answer = await c.call('psv.query', { caseId, ...(requester ? { requester } : {}), ...(version ? { version } : {}) });
  const one = answer.result?.cases[0];
  // The report is the reporter's own signed document: checked here against its published keys, not trusting the exchange.
  const offline = one?.report ? await checkPsvReport(one.report.document, one.checker, (await c.agencyJwks(one.checker)) as { keys: PublishedKey[] }) : undefined;
  const outcome = offline?.payload?.outcome;
  const code = show(answer, !!v.json, () => [
    caseLine(one!).trim(),
    ...(one!.request ? [`  asked: lines ${one!.request.items.map((i) => i.line).join(', ')} at ${one!.request.site.address} (${one!.request.site.country}); ${one!.request.questions.length} question(s)`] : []),
    ...(one!.report ? [`  report v${one!.report.version} (${one!.report.reportedAt}): ${typeof outcome === 'string' ? outcome.toUpperCase() : '?'}`] : []),
    ...(offline ? [`  ${offline.ok ? '✓' : '✗'} reporter-signed report checked offline: ${offline.detail}`] : []),
  ], offline ? { offline: { ok: offline.ok, detail: offline.detail } } : {});
  const save = v['save-report'];
  if (typeof save === 'string' && one?.report) {
    writeFileSync(save, `${one.report.document}\n`);
    if (!v.json) out(`  report saved to ${save}`);
  }
  return offline && !offline.ok ? EXIT.refused : code;
}
