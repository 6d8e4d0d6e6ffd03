/** `corridor agreement put`: the owner grants or withdraws a partner's permissions. */
import type { AgreementPutRequest } from '../../../lambdas/client/types.generated.ts';
import { client, list, parse, str, UsageError } from '../context.ts';
import { show } from '../output.ts';

export const putHelp = `corridor agreement put --as OWNER --partner AGENCY --type license|euc --permissions verify,read,drawdown [--valid-until YYYY-MM-DD]
  The data owner grants a partner permissions on its documents of one type; --permissions "" withdraws them all.
  Example: corridor agreement put --as DE-BAFA --partner NL-DOUANE --type license --permissions verify,read`;

const TYPES = ['license', 'euc'] as const;

export async function put(argv: string[]): Promise<number> {
  const v = parse(argv, { partner: { type: 'string' }, type: { type: 'string', default: 'license' }, permissions: { type: 'string', default: '' }, 'valid-until': { type: 'string' } });
  const documentType = str(v, 'type') as (typeof TYPES)[number];
  if (!TYPES.includes(documentType)) throw new UsageError('--type must be license or euc');
  const body: AgreementPutRequest = { partner: str(v, 'partner')!, documentType, permissions: list(v, 'permissions') as AgreementPutRequest['permissions'] };
  if (v['valid-until']) body.validUntil = String(v['valid-until']);
  return show(await (await client(v)).call('agreement.put', body), !!v.json, (r) => [
    r.permissions.length
      ? `${r.owner} grants ${r.partner} ${r.permissions.join(', ')} on its ${r.documentType}s${r.validUntil ? ` until ${r.validUntil}` : ''}`
      : `${r.owner} withdrew every permission of ${r.partner} on its ${r.documentType}s`,
  ]);
}
