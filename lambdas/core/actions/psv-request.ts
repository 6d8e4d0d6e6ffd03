/**
 * `psv.request`: a licensing authority asks a partner agency of the destination country to check on site the end use
 * of goods shipped under one of its own licenses (protocol.md §5). It needs a `psv` agreement granting `request` that
 * the checking agency gave the caller, checked before anything is looked up. The case is the caller's: `caseId` is
 * its own id, idempotent like license.drawdown (the JCS of the body as sent: the same content answers the stored
 * case, 200 replayed; other content 409). The due date defaults to 60 days after the request.
 */
import { currentJws, getCurrent, KINDS } from '../documents.ts';
import { refuse } from '../errors.ts';
import { trustedPayload } from '../issuer-document.ts';
import type { LicenseDocument } from '../license-document.ts';
import { jcs } from '../merkle.ts';
import { psvRequestedNotice } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { grants } from '../policy.ts';
import { dueIndexWrite } from '../psv-overdue.ts';
import { CASE_SK, caseAttrs, caseKeysOf, casePk, DEFAULT_DUE_DAYS, decryptCaseField, encryptCaseField, listingWrites, type CaseKeys, type PsvRequestContent } from '../psv-cases.ts';
import { isoNow, today, type ActionContext, type ActionOutcome } from '../services.ts';

export interface PsvRequestBody extends Omit<PsvRequestContent, 'licenseId'> {
  caseId: string;
  checker: string;
  licenseId: string;
  dueDate?: string;
}

const DAY = 86_400_000;

const resultOf = (k: CaseKeys): Record<string, unknown> => ({ caseId: k.caseId, requester: k.requester, checker: k.checker, licenseId: k.licenseId, dueDate: k.dueDate, requestedAt: k.requestedAt });

export async function psvRequest(ctx: ActionContext, body: PsvRequestBody): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  const requester = caller.agencyId;
  ctx.target.resource = `psv:${requester}/${body.caseId}`;
  ctx.target.owner = requester;
  ctx.target.details = { checker: body.checker };
  const day = today(ctx.now);
  // The checking agency's grant first: without it the caller learns nothing about cases or licenses.
  const agreement = await services.directory.agreement(body.checker, 'psv', requester, (a) => grants(a, 'request', day));
  if (!grants(agreement, 'request', day)) refuse('ERR_NO_AGREEMENT', `${body.checker} has not granted ${requester} request on its post-shipment verifications`);
  if (body.dueDate !== undefined && body.dueDate <= day) refuse('ERR_BODY_INVALID', 'the due date must be after today', [{ pointer: '/body/dueDate', detail: 'not after today (UTC)' }]);
  const lines = body.items.map((i) => i.line);
  if (new Set(lines).size !== lines.length) refuse('ERR_BODY_INVALID', 'each line may appear once', [{ pointer: '/body/items', detail: 'duplicate line' }]);
  const canonical = jcs(body);

  const pk = casePk(requester, body.caseId);
  const prior = await services.store.get('documents', pk, CASE_SK);
  if (prior) {
    const stored = JSON.parse(await decryptCaseField(services.cipher, requester, body.caseId, prior, 'request')) as { canonical: string };
    if (stored.canonical !== canonical) refuse('ERR_CONFLICT', `case ${body.caseId} was already requested with other content`);
    ctx.target.details = { checker: body.checker, replayed: true };
    return { status: 200, result: { ...resultOf(caseKeysOf(prior)), replayed: true }, writes: [] };
  }

  // The caller's own license (looked up under its id: another agency's is not found), and its lines.
  const current = await getCurrent(services.store, KINDS.license, requester, body.licenseId);
  if (!current) refuse('ERR_NOT_FOUND', `${requester} has no license ${body.licenseId}`);
  const doc = trustedPayload(await currentJws(services.cipher, current.head)) as unknown as LicenseDocument;
  const onLicense = new Set(doc.items.map((i) => i.line));
  const missing = lines.find((l) => !onLicense.has(l));
  if (missing !== undefined) refuse('ERR_CONFLICT', `line ${missing} is not on license ${body.licenseId} version ${current.head.version}; nothing was requested`);

  const requestedAt = isoNow(ctx.now);
  const keys: CaseKeys = { caseId: body.caseId, requester, checker: body.checker, licenseId: body.licenseId, dueDate: body.dueDate ?? today(ctx.now + DEFAULT_DUE_DAYS * DAY), requestedAt, stored: 'requested' };
  const content: PsvRequestContent & { canonical: string } = {
    licenseId: body.licenseId, ...(body.eucRef ? { eucRef: body.eucRef } : {}), endUser: body.endUser, site: body.site, items: body.items, questions: body.questions, canonical,
  };
  return {
    status: 201,
    result: { ...resultOf(keys), replayed: false },
    writes: [
      { op: 'put', record: { table: 'documents', pk, sk: CASE_SK, attrs: { ...caseAttrs(keys), request: await encryptCaseField(services.cipher, requester, body.caseId, CASE_SK, 'request', JSON.stringify(content)), ver: 1 } }, condition: { kind: 'absent' } },
      ...listingWrites(keys),
      dueIndexWrite(keys),
      ...await outboxWrites(ctx, [psvRequestedNotice(requester, body.caseId, body.checker, { licenseId: body.licenseId, dueDate: keys.dueDate, lines: lines.length })]),
    ],
    // the same case requested concurrently: re-run, and the loser answers as a replay or 409 by state
    retryOnConflict: true,
  };
}
