/** `corridor agreement put`: the owner grants or withdraws a partner's permissions. */
import { client, list, parse, str } from '../context.ts';
import { show } from '../output.ts';

export const help = `corridor agreement put --as OWNER --partner AGENCY --type license|euc --permissions verify,read,drawdown [--valid-until YYYY-MM-DD]
  An empty --permissions "" withdraws every permission.
  Example: corridor agreement put --as DE-BAFA --partner NL-DOUANE --type license --permissions verify,read`;

export async function put(argv: string[]): Promise<number> {
  const v = parse(argv, { partner: { type: 'string' }, type: { type: 'string', default: 'license' }, permissions: { type: 'string', default: '' }, 'valid-until': { type: 'string' } });
  const body: Record<string, unknown> = { partner: str(v, 'partner'), documentType: str(v, 'type'), permissions: list(v, 'permissions') };
  if (v['valid-until']) body.validUntil = v['valid-until'];
  return show(await client(v).call<{ owner: string; partner: string; documentType: string; permissions: string[]; validUntil?: string }>('agreement.put', body), !!v.json, (r) => [
    r.permissions.length
      ? `${r.owner} grants ${r.partner} ${r.permissions.join(', ')} on its ${r.documentType}s${r.validUntil ? ` until ${r.validUntil}` : ''}`
      : `${r.owner} withdrew every permission of ${r.partner} on its ${r.documentType}s`,
  ]);
}
