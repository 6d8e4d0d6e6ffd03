/** `corridor agreement put | list`: the owner grants or withdraws a partner's permissions; an agency lists its own agreements. */
import type { AgreementListResult, AgreementPutRequest } from '../../../lambdas/client/types.generated.ts';
import { client, list, parse, str, UsageError } from '../context.ts';
import { show } from '../output.ts';
import { PAGE_OPTIONS, pageLimit, pages } from '../pages.ts';

export const putHelp = `corridor agreement put --as OWNER --partner AGENCY --type license|euc|psv|denial --permissions verify,read,drawdown,confirm|request|screen [--valid-until YYYY-MM-DD]
  The data owner grants a partner permissions on its documents of one type; --permissions "" withdraws them all.
  license: verify, read, drawdown, confirm; euc: verify, read; psv (the checking agency grants a requester): request;
  denial (a licensing authority's denials): screen (matches only), read (matches and the signed denial).
  Example: corridor agreement put --as DE-BAFA --partner NL-DOUANE --type license --permissions verify,read`;

export const listHelp = `corridor agreement list --as AGENCY [--limit N] [--cursor CURSOR] [--json]
  Your own agreements: those you gave (you own the documents), then those you received (you are the partner), with
  permissions and validUntil. Licensing, customs and euc-issuer agencies. Follows the exchange's pages (--limit per
  page, default 100; progress on stderr); --cursor CURSOR fetches only the page there.
  Example: corridor agreement list --as NL-DOUANE`;

const TYPES = ['license', 'euc', 'psv', 'denial'] as const;
/** What an agreement of a type is about, in a sentence (a type this CLI does not know yet: its name). */
const ABOUT: Readonly<Record<string, string>> = { license: 'licenses', euc: 'eucs', psv: 'post-shipment verifications', denial: 'denials' };
const about = (type: string): string => ABOUT[type] ?? `${type}s`;

export async function put(argv: string[]): Promise<number> {
  const v = parse(argv, { partner: { type: 'string' }, type: { type: 'string', default: 'license' }, permissions: { type: 'string', default: '' }, 'valid-until': { type: 'string' } }, ['partner', 'as']);
  const documentType = str(v, 'type') as (typeof TYPES)[number];
  if (!TYPES.includes(documentType)) throw new UsageError('--type must be license, euc, psv or denial');
  const body: AgreementPutRequest = { partner: str(v, 'partner')!, documentType, permissions: list(v, 'permissions') as AgreementPutRequest['permissions'] };
  if (v['valid-until']) body.validUntil = String(v['valid-until']);
  return show(await (await client(v)).call('agreement.put', body), !!v.json, (r) => [
    r.permissions.length
      ? `${r.owner} grants ${r.partner} ${r.permissions.join(', ')} on its ${about(r.documentType)}${r.validUntil ? ` until ${r.validUntil}` : ''}`
      : `${r.owner} withdrew every permission of ${r.partner} on its ${about(r.documentType)}`,
  ]);
}

export async function listAgreements(argv: string[]): Promise<number> {
  const v = parse(argv, PAGE_OPTIONS, ['as']);
  const body = pageLimit(v.limit, (m) => new UsageError(m));
  const c = await client(v);
  const me = c.agencyId;
  const { answer, extra } = await pages<AgreementListResult, 'agreements'>((cursor) => c.call('agreement.list', { ...body, ...(cursor ? { cursor } : {}) }), 'agreements', 'agreement', str(v, 'cursor', false));
  return show(answer, !!v.json, (r) => [
    `${r.agreements.length} agreement(s)`,
    ...r.agreements.map((a) => `  ${a.owner === me ? `gave     ${a.partner}` : `received ${a.owner}`}: ${a.permissions.join(', ')} on ${a.owner}'s ${about(a.documentType)}${a.validUntil ? ` until ${a.validUntil}` : ''}`),
    ...(r.cursor ? [`  more: --cursor ${r.cursor}`] : []),
  ], extra);
}
