/** `corridor agency register` (operator) and `corridor agency keys` (an agency, for itself). */
import { publicJwk } from '../../../lambdas/local/key-files.ts';
import type { AgencyRegisterRequest, AgencyRegisterResult, Jwk, KeyEntry } from '../../../lambdas/client/types.generated.ts';
import { client, keyFile, list, parse, str, UsageError, type Values } from '../context.ts';
import { show } from '../output.ts';

export const registerHelp = `corridor agency register --id AGENCY [--name NAME] [--roles r1,r2] [--audit-scope own|all]
                         [--status active|suspended] [--key-file FILE]... [--revoke KID]...
  The operator creates an agency (name, roles and --key-file needed) or changes one.
  A --key-file is the public JWK file \`corridor keygen\` writes, the public key entry {"kid", "jwk"} it prints, or
  a private JWK file; only the public half is sent.
  Example: corridor agency register --id FR-DGDDI --name "French customs" --roles customs --key-file FR-DGDDI.public.jwk.json`;

export const keysHelp = `corridor agency keys --as AGENCY [--key FILE] [--add FILE]... [--retire KID]... [--revoke KID]...
  An agency adds, retires or revokes its own keys, signing with one of its active keys.
  Example: corridor agency keys --as DE-BAFA --add keys/DE-BAFA-2.private.jwk.json --retire de-bafa-1`;

function readable(r: AgencyRegisterResult): string[] {
  return [
    `${r.agencyId} — ${r.name} [${r.status}] roles: ${r.roles.join(', ')}${r.auditScope ? ` (audit scope ${r.auditScope})` : ''}`,
    ...r.keys.map((k) => `  key ${k.kid}: ${k.status}${k.retiredAt ? ` (retired ${k.retiredAt})` : ''}${k.revokedAt ? ` (revoked ${k.revokedAt})` : ''}`),
  ];
}

/** Key entries from key files (a JWK, private or public, or a key entry as keygen prints it; only the public half is sent). */
function keyEntries(files: string[]): KeyEntry[] {
  return files.map((f) => {
    const jwk = keyFile(f);
    // The exchange validates the JWK against its schema; the cast only names what it will check.
    return { kid: jwk.kid!, jwk: publicJwk(jwk) as Jwk };
  });
}

const multi = { type: 'string', multiple: true } as const;

function oneOf<T extends string>(v: Values, name: string, allowed: readonly T[]): T | undefined {
  const x = str(v, name, false);
  if (x !== undefined && !allowed.includes(x as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return x as T | undefined;
}

export async function register(argv: string[]): Promise<number> {
  const v: Values = parse(argv, { id: { type: 'string' }, name: { type: 'string' }, roles: { type: 'string' }, 'audit-scope': { type: 'string' }, status: { type: 'string' }, 'key-file': multi, revoke: multi }, ['id', 'as']);
  const body: AgencyRegisterRequest = { agencyId: str(v, 'id')! };
  if (v.name) body.name = String(v.name);
  if (v.roles) body.roles = list(v, 'roles') as AgencyRegisterRequest['roles'];
  const scope = oneOf(v, 'audit-scope', ['own', 'all'] as const);
  if (scope) body.auditScope = scope;
  const status = oneOf(v, 'status', ['active', 'suspended'] as const);
  if (status) body.status = status;
  if (list(v, 'key-file').length) body.keys = keyEntries(list(v, 'key-file'));
  if (list(v, 'revoke').length) body.revoke = list(v, 'revoke');
  return show(await (await client(v)).call('agency.register', body), !!v.json, readable);
}

export async function keys(argv: string[]): Promise<number> {
  const v = parse(argv, { add: multi, retire: multi, revoke: multi }, ['as']);
  const body: { add?: KeyEntry[]; retire?: string[]; revoke?: string[] } = {};
  if (list(v, 'add').length) body.add = keyEntries(list(v, 'add'));
  if (list(v, 'retire').length) body.retire = list(v, 'retire');
  if (list(v, 'revoke').length) body.revoke = list(v, 'revoke');
  if (!Object.keys(body).length) throw new UsageError('give --add, --retire or --revoke');
  return show(await (await client(v)).call('agency.keys', body), !!v.json, readable);
}
