/** `corridor license publish | status | verify`. */
import { writeFileSync } from 'node:fs';
import { checkIssuerDocument, type PublishedKey } from '../../../lambdas/client/document-check.ts';
import { signDocument } from '../../../lambdas/client/signing.ts';
import type { LicenseVerifyRequest } from '../../../lambdas/client/types.generated.ts';
import { client, identity, keyFile, list, parse, readJsonFile, str, UsageError } from '../context.ts';
import { EXIT, out, show } from '../output.ts';

export const publishHelp = `corridor license publish --as ISSUER --file LICENSE.json [--key FILE | --kms-key KEY --kid KID] [--doc-key FILE]
  Signs the license JSON as the issuer (--doc-key, default the request key) and publishes it.
  Example: corridor license publish --as DE-BAFA --file .corridor/demo/DE-2026-000123.json`;

export const statusHelp = `corridor license status --as ISSUER --license ID --status active|suspended|revoked --reason TEXT
  Example: corridor license status --as DE-BAFA --license DE-2026-000123 --status suspended --reason "under review"`;

export const verifyHelp = `corridor license verify --as CUSTOMS --issuer ISSUER --license ID --date YYYY-MM-DD --destination CC
                        --item CODE=QTY... [--exporter NAME] [--consignee NAME] [--end-user NAME] [--save-document FILE]
  Checks a shipment against a partner's license; with read permission the issuer-signed license comes back
  and is verified offline against the issuer's published keys. Exit 1 when the outcome is invalid.
  Example: corridor license verify --as NL-DOUANE --issuer DE-BAFA --license DE-2026-000123 --date 2026-11-22 --destination SG --item 6A003.b.4=5`;

const STATUSES = ['active', 'suspended', 'revoked'] as const;
export type DocStatus = (typeof STATUSES)[number];

export function docStatus(s: string): DocStatus {
  if (!STATUSES.includes(s as DocStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  return s as DocStatus;
}

export async function publish(argv: string[]): Promise<number> {
  const v = parse(argv, { file: { type: 'string' }, 'doc-key': { type: 'string' } }, ['file', 'as']);
  const doc = readJsonFile(str(v, 'file')!);
  const docKey = v['doc-key'] ? keyFile(String(v['doc-key'])) : (await identity(v)).signer;
  const document = await signDocument(docKey, 'corridor-license+jws', doc);
  return show(await (await client(v)).call('license.publish', { document }), !!v.json, (r) => [`published license ${r.licenseId} version ${r.version}`, `  digest ${r.digest}`]);
}

export async function status(argv: string[]): Promise<number> {
  const v = parse(argv, { license: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' } }, ['license', 'status', 'reason', 'as']);
  const body = { licenseId: str(v, 'license')!, status: docStatus(str(v, 'status')!), reason: str(v, 'reason')! };
  return show(await (await client(v)).call('license.status', body), !!v.json, (r) => [`license ${r.licenseId} is now ${r.status} (since ${r.changedAt})`]);
}

export async function verify(argv: string[]): Promise<number> {
  const v = parse(argv, {
    issuer: { type: 'string' }, license: { type: 'string' }, date: { type: 'string' }, destination: { type: 'string' },
    item: { type: 'string', multiple: true }, exporter: { type: 'string' }, consignee: { type: 'string' }, 'end-user': { type: 'string' }, 'save-document': { type: 'string' },
  }, ['issuer', 'license', 'date', 'destination', 'item', 'as']);
  const items = list(v, 'item').map((s) => {
    const m = /^(.+)=(\d+)$/.exec(s);
    if (!m) throw new UsageError(`--item ${s}: expected CODE=QUANTITY`);
    return { controlCode: m[1]!, quantity: Number(m[2]) };
  });
  if (!items.length) throw new UsageError('at least one --item CODE=QUANTITY is required');
  const shipment: LicenseVerifyRequest['shipment'] = { date: str(v, 'date')!, destinationCountry: str(v, 'destination')!, items };
  for (const [flag, field] of [['exporter', 'exporter'], ['consignee', 'consignee'], ['end-user', 'endUser']] as const) if (v[flag]) shipment[field] = { name: String(v[flag]) };
  const body: LicenseVerifyRequest = { issuer: str(v, 'issuer')!, licenseId: str(v, 'license')!, shipment };
  const c = await client(v);
  const answer = await c.call('license.verify', body);
  // With read, check the issuer's own signature offline against its published keys, not trusting the exchange.
  const offline = answer.result?.document ? await checkIssuerDocument(answer.result.document, 'corridor-license+jws', body.issuer, (await c.agencyJwks(body.issuer)) as { keys: PublishedKey[] }) : undefined;
  const code = show(answer, !!v.json, (r) => [
    `license ${body.issuer}/${body.licenseId} v${r.version}: ${r.outcome.toUpperCase()}`,
    ...r.checks.map((ch) => `  ${ch.ok ? '✓' : '✗'} ${ch.name}${ch.detail ? ` — ${ch.detail}` : ''}`),
    ...r.lines.map((l) => `  line ${l.line} ${l.controlCode}: ${l.remaining} remaining`),
    `  license digest ${r.licenseDigest}`,
    ...(offline ? [`  ${offline.ok ? '✓' : '✗'} issuer-signed license checked offline: ${offline.detail}`] : []),
  ], offline ? { offline: { ok: offline.ok, detail: offline.detail } } : {});
  const save = v['save-document'];
  if (typeof save === 'string' && answer.result?.document) {
    writeFileSync(save, `${answer.result.document}\n`);
    if (!v.json) out(`  document saved to ${save}`);
  }
  if (offline && !offline.ok) return EXIT.refused;
  return answer.result?.outcome === 'invalid' && code === EXIT.ok ? EXIT.refused : code;
}
