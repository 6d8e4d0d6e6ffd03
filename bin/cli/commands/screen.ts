/**
 * `corridor screen`: screen one party (--name, --country …) or a CSV file of them against every denial you may see.
 * A file goes in batches of 100 parties (the most one screening.check takes), with a progress bar on stderr and one
 * table at the end. Documents that come back (own denials, or read permission) are checked offline against the
 * issuer's published keys. Exit 1 when any party matched.
 */
import { readFileSync } from 'node:fs';
import { checkDenial, type PublishedKey } from '../../../lambdas/client/document-check.ts';
import type { ExchangeAnswer } from '../../../lambdas/client/corridor-client.ts';
import type { ScreeningCheckRequest, ScreeningCheckResult } from '../../../lambdas/client/types.generated.ts';
import { client, list, parse, str, UsageError } from '../context.ts';
import { parseCsv } from '../csv.ts';
import { EXIT, show } from '../output.ts';
import { Progress } from '../progress.ts';

export const help = `corridor screen --as AGENCY --name NAME --country CC [--address TEXT] [--alias NAME]... [--item CODE]... [--json]
corridor screen --as AGENCY --csv FILE [--item CODE]... [--json]
  Screens parties against every active denial you may see (your own, and those shared with you by a denial
  agreement): each match with the denial, the listed party's role, a score (0–1, from 0.8) and what matched.
  --csv FILE: a header line with name and country, optionally address, aliases (separated by ";") and reference;
  screened 100 rows at a time with a progress bar on stderr. --item flags overlapping control-list entries.
  Exit 1 when any party matched (0: no match).
  Example: corridor screen --as NL-DOUANE --name "Pars Optronik Industries" --country IR --item 6A003
  Example: corridor screen --as NL-DOUANE --csv parties.csv`;

type Party = ScreeningCheckRequest['parties'][number];
type Result = ScreeningCheckResult;

/** The parties of a CSV file: columns by header name, every row checked before anything is sent. */
export function partiesFromCsv(text: string): Party[] {
  const rows = parseCsv(text);
  const header = (rows.shift() ?? []).map((h) => h.trim().toLowerCase());
  const known = ['name', 'country', 'address', 'aliases', 'reference'];
  const unknown = header.filter((h) => !known.includes(h));
  if (unknown.length) throw new UsageError(`CSV column(s) ${unknown.join(', ')} unknown: use ${known.join(', ')}`);
  if (!header.includes('name') || !header.includes('country')) throw new UsageError('CSV needs a header line with the columns name and country');
  const col = (row: string[], name: string): string => (row[header.indexOf(name)] ?? '').trim();
  return rows.filter((r) => r.some((c) => c.trim())).map((r, i) => {
    const name = col(r, 'name');
    const country = col(r, 'country').toUpperCase();
    if (!name || !/^[A-Z]{2}$/.test(country)) throw new UsageError(`CSV row ${i + 2}: needs a name and a two-letter country`);
    const p: Party = { name, country };
    if (col(r, 'address')) p.address = col(r, 'address');
    const aliases = col(r, 'aliases').split(';').map((a) => a.trim()).filter(Boolean);
    if (aliases.length) p.aliases = aliases;
    if (col(r, 'reference')) p.reference = col(r, 'reference');
    return p;
  });
}

const bar = (done: number, total: number): string => {
  const width = 24;
  const full = Math.round((done / Math.max(1, total)) * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${done}/${total} parties`;
};

/** Every match as a row: which party, which denial, role, score, what matched. */
function table(parties: Party[], r: Result): string[] {
  const rows = r.parties.flatMap((p) => p.matches.map((m) => [
    parties[p.index]?.reference ?? `#${p.index + 1}`, parties[p.index]?.name ?? '', `${m.issuer}/${m.denialId} v${m.version}`, m.role, m.score.toFixed(3),
    `${m.matched.join(',')}${m.overlappingItems ? ` · items ${m.overlappingItems.map((i) => i + 1).join(',')}` : ''}`,
  ]));
  if (!rows.length) return [];
  const head = ['party', 'name', 'denial', 'role', 'score', 'matched'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (c: string[]): string => `  ${c.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

export async function screen(argv: string[]): Promise<number> {
  const v = parse(argv, {
    name: { type: 'string' }, country: { type: 'string' }, address: { type: 'string' }, alias: { type: 'string', multiple: true },
    csv: { type: 'string' }, item: { type: 'string', multiple: true },
  }, (x) => (x.csv ? ['as'] : ['name', 'country', 'as']));
  if (v.csv && (v.name || v.country || v.address || v.alias)) throw new UsageError('--csv or --name/--country, not both');
  let parties: Party[];
  if (v.csv) {
    let text: string;
    try {
      text = readFileSync(String(v.csv), 'utf8');
    } catch (e) {
      throw new UsageError(`${String(v.csv)}: ${(e as Error).message}`);
    }
    parties = partiesFromCsv(text);
    if (!parties.length) throw new UsageError(`${String(v.csv)}: no parties`);
  } else {
    const p: Party = { name: str(v, 'name')!, country: str(v, 'country')!.toUpperCase() };
    if (v.address) p.address = String(v.address);
    const aliases = list(v, 'alias');
    if (aliases.length) p.aliases = aliases;
    parties = [p];
  }
  const items = list(v, 'item').map((controlCode) => ({ controlCode }));
  const c = await client(v);
  const progress = new Progress();
  const merged: Result = { threshold: 0, denialsScreened: 0, parties: [], denials: [] };
  const auditIds: string[] = [];
  for (let at = 0; at < parties.length; at += 100) {
    if (parties.length > 100) progress.update(`${bar(at, parties.length)} · ${merged.parties.filter((p) => p.matches.length).length} matched`);
    const a = await c.call('screening.check', { parties: parties.slice(at, at + 100), ...(items.length ? { items } : {}) });
    if (!a.result) {
      progress.done();
      return show(a, !!v.json, () => [], { screenedBefore: at });
    }
    if (a.auditId) auditIds.push(a.auditId);
    merged.threshold = a.result.threshold;
    merged.denialsScreened = a.result.denialsScreened;
    merged.parties.push(...a.result.parties.map((p) => ({ ...p, index: p.index + at })));
    for (const d of a.result.denials) if (!merged.denials.some((x) => x.issuer === d.issuer && x.denialId === d.denialId)) merged.denials.push(d);
  }
  const matched = merged.parties.filter((p) => p.matches.length).length;
  progress.done(parties.length > 100 ? `${bar(parties.length, parties.length)} · ${matched} matched` : undefined);

  // Documents the exchange handed over are checked against their issuers' own keys, not trusted as sent.
  const jwks = new Map<string, { keys: PublishedKey[] }>();
  const offline: Record<string, { ok: boolean; detail: string }> = {};
  for (const d of merged.denials) {
    if (!d.document) continue;
    if (!jwks.has(d.issuer)) jwks.set(d.issuer, (await c.agencyJwks(d.issuer)) as { keys: PublishedKey[] });
    const check = await checkDenial(d.document, d.issuer, jwks.get(d.issuer)!);
    offline[`${d.issuer}/${d.denialId}`] = { ok: check.ok, detail: check.detail };
  }
  // One answer for the whole file: every batch's parties (indexes into the file) and denials; with --json each batch's audit event.
  const answer: ExchangeAnswer<Result> = { status: 200, result: merged, jws: '', auditId: auditIds.join(', ') };
  const code = show(answer, !!v.json, (r) => [
    `${parties.length} part${parties.length === 1 ? 'y' : 'ies'} screened against ${r.denialsScreened} denial(s): ${matched} matched (threshold ${r.threshold})`,
    ...table(parties, r),
    ...r.parties.filter((p) => p.omitted || p.truncated).map((p) => `  party ${p.index + 1}: ${p.omitted} more match(es) not listed${p.truncated ? '; too many candidates, some not scored' : ''}`),
    ...r.denials.map((d) => `  denial ${d.issuer}/${d.denialId} v${d.version} (${d.access}, until ${d.validUntil})${offline[`${d.issuer}/${d.denialId}`] ? ` — ${offline[`${d.issuer}/${d.denialId}`]!.ok ? '✓' : '✗'} issuer-signed denial checked offline: ${offline[`${d.issuer}/${d.denialId}`]!.detail}` : d.documentWithheld ? ' — document withheld (answer full): screen fewer parties' : ''}`),
  ], { batches: auditIds.length, auditIds, offline });
  if (code !== EXIT.ok) return code;
  return matched > 0 || Object.values(offline).some((o) => !o.ok) ? EXIT.refused : EXIT.ok;
}
