/** `corridor license publish | status | verify`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { checkIssuerDocument, type PublishedKey } from '../../../lambdas/client/document-check.ts';
import { signDocument } from '../../../lambdas/client/signing.ts';
import { readKeyFile } from '../../../lambdas/local/key-files.ts';
import { client, identity, list, parse, str, UsageError } from '../context.ts';
import { out, show } from '../output.ts';

export const help = `corridor license publish --as ISSUER --file LICENSE.json [--key FILE] [--doc-key FILE]
  Signs the license JSON with the issuer key (--doc-key, default --key) and publishes it.
  Example: corridor license publish --as DE-BAFA --file .corridor/demo/DE-2026-000123.json
corridor license status --as ISSUER --license ID --status active|suspended|revoked --reason TEXT
  Example: corridor license status --as DE-BAFA --license DE-2026-000123 --status suspended --reason "under review"
corridor license verify --as CUSTOMS --issuer ISSUER --license ID --date YYYY-MM-DD --destination CC
                        --item CODE=QTY... [--exporter NAME] [--consignee NAME] [--end-user NAME] [--save-document FILE]
  Example: corridor license verify --as NL-DOUANE --issuer DE-BAFA --license DE-2026-000123 --date 2026-11-22 --destination SG --item 6A003.b.4=5`;

export async function publish(argv: string[]): Promise<number> {
  const v = parse(argv, { file: { type: 'string' }, 'doc-key': { type: 'string' } });
  const doc = JSON.parse(readFileSync(str(v, 'file')!, 'utf8')) as unknown;
  const docKey = v['doc-key'] ? readKeyFile(String(v['doc-key'])) : identity(v).privateJwk;
  const document = await signDocument(docKey, 'corridor-license+jws', doc);
  return show(await client(v).call<{ licenseId: string; version: number; digest: string }>('license.publish', { document }), !!v.json, (r) => [
    `published license ${r.licenseId} version ${r.version}`,
    `  digest ${r.digest}`,
  ]);
}

export async function status(argv: string[]): Promise<number> {
  const v = parse(argv, { license: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' } });
  const body = { licenseId: str(v, 'license'), status: str(v, 'status'), reason: str(v, 'reason') };
  return show(await client(v).call<{ licenseId: string; status: string; changedAt: string }>('license.status', body), !!v.json, (r) => [`license ${r.licenseId} is now ${r.status} (since ${r.changedAt})`]);
}

interface VerifyResult {
  outcome: string;
  checks: { name: string; ok: boolean; detail?: string }[];
  lines: { line: number; controlCode: string; remaining: number }[];
  licenseDigest: string;
  version: number;
  document?: string;
}

export async function verify(argv: string[]): Promise<number> {
  const v = parse(argv, {
    issuer: { type: 'string' }, license: { type: 'string' }, date: { type: 'string' }, destination: { type: 'string' },
    item: { type: 'string', multiple: true }, exporter: { type: 'string' }, consignee: { type: 'string' }, 'end-user': { type: 'string' }, 'save-document': { type: 'string' },
  });
  const items = list(v, 'item').map((s) => {
    const m = /^(.+)=(\d+)$/.exec(s);
    if (!m) throw new UsageError(`--item ${s}: expected CODE=QUANTITY`);
    return { controlCode: m[1]!, quantity: Number(m[2]) };
  });
  if (!items.length) throw new UsageError('at least one --item CODE=QUANTITY is required');
  const shipment: Record<string, unknown> = { date: str(v, 'date'), destinationCountry: str(v, 'destination'), items };
  for (const [flag, field] of [['exporter', 'exporter'], ['consignee', 'consignee'], ['end-user', 'endUser']] as const) if (v[flag]) shipment[field] = { name: v[flag] };
  const body = { issuer: str(v, 'issuer'), licenseId: str(v, 'license'), shipment };
  const c = client(v);
  const answer = await c.call<VerifyResult>('license.verify', body);
  const issuer = body.issuer!;
  // With read, check the issuer's own signature offline against its published keys, not trusting the exchange.
  const offline = answer.result?.document ? await checkIssuerDocument(answer.result.document, 'corridor-license+jws', issuer, (await c.agencyJwks(issuer)) as { keys: PublishedKey[] }) : undefined;
  const code = show(answer, !!v.json, (r) => [
    `license ${body.issuer}/${body.licenseId} v${r.version}: ${r.outcome.toUpperCase()}`,
    ...r.checks.map((c) => `  ${c.ok ? '✓' : '✗'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`),
    ...r.lines.map((l) => `  line ${l.line} ${l.controlCode}: ${l.remaining} remaining`),
    `  license digest ${r.licenseDigest}`,
    ...(offline ? [`  ${offline.ok ? '✓' : '✗'} issuer-signed license checked offline: ${offline.detail}`] : []),
  ]);
  const save = v['save-document'];
  if (typeof save === 'string' && answer.result?.document) {
    writeFileSync(save, `${answer.result.document}\n`);
    if (!v.json) out(`  document saved to ${save}`);
  }
  if (offline && !offline.ok) return 1;
  return answer.result?.outcome === 'invalid' && code === 0 ? 1 : code;
}
