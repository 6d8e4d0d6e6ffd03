/**
 * `agreement.put`: the data owner grants (or, with an empty list, withdraws) a partner's
 * permissions on its documents of one type. Only the owner can; the operator cannot.
 */
import { agreementWrite, getAgreement, type Agreement, type DocumentType, type Permission } from '../agreements.ts';
import { refuse } from '../errors.ts';
import { hasRole } from '../policy.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';

export interface AgreementBody {
  partner: string;
  documentType: DocumentType;
  permissions: Permission[];
  validUntil?: string;
}

const ORDER: Permission[] = ['verify', 'read', 'drawdown', 'confirm', 'request', 'screen'];
/** What an agreement of each type can grant (the schema knows only the union; euc's limit is also in the schema). */
const ALLOWED: Record<DocumentType, readonly Permission[]> = { license: ['verify', 'read', 'drawdown', 'confirm'], euc: ['verify', 'read'], psv: ['request'], denial: ['screen', 'read'] };

export async function agreementPut(ctx: ActionContext, body: AgreementBody): Promise<ActionOutcome> {
  const owner = ctx.caller.agencyId;
  ctx.target.resource = `agreement:${owner}/${body.documentType}/${body.partner}`;
  ctx.target.owner = owner;
  const misfit = body.permissions.findIndex((p) => !ALLOWED[body.documentType].includes(p));
  if (misfit >= 0) refuse('ERR_BODY_INVALID', `${body.permissions[misfit]} is not a permission of ${body.documentType} agreements`, [{ pointer: `/body/permissions/${misfit}`, detail: `not one of ${ALLOWED[body.documentType].join(', ')}` }]);
  // psv: the checking agency grants requesters; a licensing or euc-issuer agency (every caller of this action) may check.
  const ownerRole = body.documentType === 'license' || body.documentType === 'denial' ? 'licensing' : 'euc-issuer';
  if (body.documentType !== 'psv' && !hasRole(ctx.caller, ownerRole)) refuse('ERR_ROLE_FORBIDDEN', `only a ${ownerRole} agency owns ${body.documentType} documents to share`);
  if (body.partner === owner) refuse('ERR_BODY_INVALID', 'an agency needs no agreement with itself', [{ pointer: '/body/partner', detail: 'must be another agency' }]);
  if (!(await ctx.services.directory.get(body.partner))) refuse('ERR_NOT_FOUND', `no agency ${body.partner}`);

  const agreement: Agreement = { owner, partner: body.partner, documentType: body.documentType, permissions: ORDER.filter((p) => body.permissions.includes(p)) };
  if (body.validUntil && agreement.permissions.length) agreement.validUntil = body.validUntil;
  const before = await getAgreement(ctx.services.store, owner, body.documentType, body.partner);
  ctx.target.details = { permissions: agreement.permissions, previous: before?.permissions ?? [] };
  return {
    status: before || agreement.permissions.length === 0 ? 200 : 201,
    result: { ...agreement },
    writes: [agreementWrite(agreement, isoNow(ctx.now))],
    afterCommit: () => ctx.services.directory.invalidateAgreement(owner, body.documentType, body.partner),
  };
}
