/** `corridor agency register` (operator) and `corridor agency keys` (an agency, for itself). */
import { readKeyFile, publicJwk } from '../../../lambdas/local/key-files.ts';
import { client, list, parse, str, UsageError, type Values } from '../context.ts';
import { show } from '../output.ts';

export const help = `corridor agency register --id AGENCY [--name NAME] [--roles r1,r2] [--audit-scope own|all]
                         [--status active|suspended] [--key-file FILE]... [--revoke KID]...   (signed as the operator)
  Example: corridor agency register --id FR-DGDDI --name "French customs" --roles customs --key-file fr.private.jwk.json
corridor agency keys --as AGENCY [--key FILE] [--add FILE]... [--retire KID]... [--revoke KID]...
  Example: corridor agency keys --as DE-BAFA --add keys/DE-BAFA-2.private.jwk.json --retire de-bafa-1`;

interface AgencyResult { agencyId: string; name: string; roles: string[]; status: string; auditScope?: string; keys: { kid: string; status: string; retiredAt?: string; revokedAt?: string }[] }

function readable(r: AgencyResult): string[] {
  return [
    `${r.agencyId} — ${r.name} [${r.status}] roles: ${r.roles.join(', ')}${r.auditScope ? ` (audit scope ${r.auditScope})` : ''}`,
    ...r.keys.map((k) => `  key ${k.kid}: ${k.status}${k.retiredAt ? ` (retired ${k.retiredAt})` : ''}${k.revokedAt ? ` (revoked ${k.revokedAt})` : ''}`),
  ];
}

/** Key entries from JWK files (private or public; only the public half is sent). */
function keyEntries(files: string[]): { kid: string; jwk: object }[] {
  return files.map((f) => {
    const jwk = readKeyFile(f);
    return { kid: jwk.kid!, jwk: publicJwk(jwk) };
  });
}

const multi = { type: 'string', multiple: true } as const;

export async function register(argv: string[]): Promise<number> {
  const v: Values = parse(argv, { id: { type: 'string' }, name: { type: 'string' }, roles: { type: 'string' }, 'audit-scope': { type: 'string' }, status: { type: 'string' }, 'key-file': multi, revoke: multi });
  const body: Record<string, unknown> = { agencyId: str(v, 'id') };
  if (v.name) body.name = v.name;
  if (v.roles) body.roles = list(v, 'roles');
  if (v['audit-scope']) body.auditScope = v['audit-scope'];
  if (v.status) body.status = v.status;
  if (list(v, 'key-file').length) body.keys = keyEntries(list(v, 'key-file'));
  if (list(v, 'revoke').length) body.revoke = list(v, 'revoke');
  return show(await client(v).call<AgencyResult>('agency.register', body), !!v.json, readable);
}

export async function keys(argv: string[]): Promise<number> {
  const v = parse(argv, { add: multi, retire: multi, revoke: multi });
  const body: Record<string, unknown> = {};
  if (list(v, 'add').length) body.add = keyEntries(list(v, 'add'));
  if (list(v, 'retire').length) body.retire = list(v, 'retire');
  if (list(v, 'revoke').length) body.revoke = list(v, 'revoke');
  if (!Object.keys(body).length) throw new UsageError('give --add, --retire or --revoke');
  return show(await client(v).call<AgencyResult>('agency.keys', body), !!v.json, readable);
}
