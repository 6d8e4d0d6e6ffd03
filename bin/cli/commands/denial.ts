/** `corridor denial notify | revoke`: a licensing authority shares a denial it signed, or withdraws it. */
import { signDocument } from '../../../lambdas/client/signing.ts';
import { client, identity, keyFile, parse, readJsonFile, str } from '../context.ts';
import { show } from '../output.ts';

export const notifyHelp = `corridor denial notify --as ISSUER --file DENIAL.json [--key FILE | --kms-key KEY --kid KID] [--doc-key FILE]
  Signs the denial JSON (schemas/denial.schema.json) as the issuer (--doc-key, default the request key) and shares
  it; partners with a denial agreement (screen or read) screen against it from their next screening.check. A higher
  "version" of the same denialId amends it. Without validUntil it applies for 3 years from its date (at most 5).
  Example: corridor denial notify --as DE-BAFA --file .corridor/demo/DE-DEN-2026-0042.json`;

export const revokeHelp = `corridor denial revoke --as ISSUER --denial ID --reason TEXT
  Withdraws your denial (final): it is screened against no more from the next call on.
  Example: corridor denial revoke --as DE-BAFA --denial DE-DEN-2026-0042 --reason "end user dissolved"`;

export async function notify(argv: string[]): Promise<number> {
  const v = parse(argv, { file: { type: 'string' }, 'doc-key': { type: 'string' } }, ['file', 'as']);
  const doc = readJsonFile(str(v, 'file')!);
  const docKey = v['doc-key'] ? keyFile(String(v['doc-key'])) : (await identity(v)).signer;
  const document = await signDocument(docKey, 'corridor-denial+jws', doc);
  return show(await (await client(v)).call('denial.notify', { document }), !!v.json, (r) => [
    `shared denial ${r.denialId} version ${r.version}, in force until ${r.validUntil}`,
    `  digest ${r.digest}`,
  ]);
}

export async function revoke(argv: string[]): Promise<number> {
  const v = parse(argv, { denial: { type: 'string' }, reason: { type: 'string' } }, ['denial', 'reason', 'as']);
  return show(await (await client(v)).call('denial.revoke', { denialId: str(v, 'denial')!, reason: str(v, 'reason')! }), !!v.json, (r) => [`denial ${r.denialId} is revoked (since ${r.changedAt})`]);
}
