/** `corridor euc publish | status | query`. */
import { writeFileSync } from 'node:fs';
import { checkIssuerDocument, type PublishedKey } from '../../../lambdas/client/document-check.ts';
import { signDocument } from '../../../lambdas/client/signing.ts';
import type { EucQueryRequest } from '../../../lambdas/client/types.generated.ts';
import { client, identity, keyFile, list, parse, readJsonFile, str, UsageError } from '../context.ts';
import { EXIT, out, show } from '../output.ts';
import { docStatus } from './license.ts';

export const publishHelp = `corridor euc publish --as ISSUER --file EUC.json [--key FILE | --kms-key KEY --kid KID] [--doc-key FILE]
  Signs the end-use certificate JSON as the issuer (--doc-key, default the request key) and publishes it.
  Example: corridor euc publish --as SG-MTI --file .corridor/demo/SG-EUC-88121.json`;

export const statusHelp = `corridor euc status --as ISSUER --euc ID --status active|suspended|revoked --reason TEXT
  Example: corridor euc status --as SG-MTI --euc SG-EUC-88121 --status suspended --reason "site visit pending"`;

export const queryHelp = `corridor euc query --as AGENCY --issuer ISSUER --euc ID [--end-user NAME] [--item [CODE=]QTY]... [--save-document FILE]
  Confirms an end-use certificate with the government that issued it. With read permission the issuer-signed
  certificate comes back and is verified offline against the issuer's published keys. Exit 1 when invalid.
  Example: corridor euc query --as NL-DOUANE --issuer SG-MTI --euc SG-EUC-88121 --end-user "Straits Photonics Lab" --item 6A003.b.4=5`;

export async function publish(argv: string[]): Promise<number> {
  const v = parse(argv, { file: { type: 'string' }, 'doc-key': { type: 'string' } }, ['file', 'as']);
  const doc = readJsonFile(str(v, 'file')!);
  const docKey = v['doc-key'] ? keyFile(String(v['doc-key'])) : (await identity(v)).signer;
  const document = await signDocument(docKey, 'corridor-euc+jws', doc);
  return show(await (await client(v)).call('euc.publish', { document }), !!v.json, (r) => [`published end-use certificate ${r.eucId} version ${r.version}`, `  digest ${r.digest}`]);
}

export async function status(argv: string[]): Promise<number> {
  const v = parse(argv, { euc: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' } }, ['euc', 'status', 'reason', 'as']);
  const body = { eucId: str(v, 'euc')!, status: docStatus(str(v, 'status')!), reason: str(v, 'reason')! };
  return show(await (await client(v)).call('euc.status', body), !!v.json, (r) => [`end-use certificate ${r.eucId} is now ${r.status} (since ${r.changedAt})`]);
}

export async function query(argv: string[]): Promise<number> {
  const v = parse(argv, { issuer: { type: 'string' }, euc: { type: 'string' }, 'end-user': { type: 'string' }, item: { type: 'string', multiple: true }, 'save-document': { type: 'string' } }, ['issuer', 'euc', 'as']);
  const check: NonNullable<EucQueryRequest['check']> = {};
  if (v['end-user']) check.endUser = { name: String(v['end-user']) };
  const items = list(v, 'item').map((s) => {
    const m = /^(?:(.+)=)?(\d+)$/.exec(s);
    if (!m) throw new UsageError(`--item ${s}: expected [CODE=]QUANTITY`);
    return m[1] ? { controlCode: m[1], quantity: Number(m[2]) } : { quantity: Number(m[2]) };
  });
  if (items.length) check.items = items;
  const issuer = str(v, 'issuer')!;
  const c = await client(v);
  const answer = await c.call('euc.query', { issuer, eucId: str(v, 'euc')!, ...(Object.keys(check).length ? { check } : {}) });
  const offline = answer.result?.document ? await checkIssuerDocument(answer.result.document, 'corridor-euc+jws', issuer, (await c.agencyJwks(issuer)) as { keys: PublishedKey[] }) : undefined;
  const code = show(answer, !!v.json, (r) => [
    `end-use certificate ${issuer}/${String(v.euc)} v${r.version}: ${r.outcome.toUpperCase()}`,
    ...r.checks.map((ch) => `  ${ch.ok ? '✓' : '✗'} ${ch.name}${ch.detail ? ` — ${ch.detail}` : ''}`),
    `  certificate digest ${r.eucDigest}`,
    ...(offline ? [`  ${offline.ok ? '✓' : '✗'} issuer-signed certificate checked offline: ${offline.detail}`] : []),
  ], offline ? { offline: { ok: offline.ok, detail: offline.detail } } : {});
  const save = v['save-document'];
  if (typeof save === 'string' && answer.result?.document) {
    writeFileSync(save, `${answer.result.document}\n`);
    if (!v.json) out(`  document saved to ${save}`);
  }
  if (offline && !offline.ok) return EXIT.refused;
  return answer.result?.outcome === 'invalid' && code === EXIT.ok ? EXIT.refused : code;
}
