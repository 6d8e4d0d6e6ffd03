/**
 * `psv.report`: the checking agency answers a case addressed to it with a report it signed itself (typ
 * `corridor-psv-report+jws`, schemas/psv-report.schema.json), checked like a license at publish (issuer-document.ts)
 * and stored encrypted exactly as signed, so the requester can hold it as evidence verifiable offline against the
 * reporter's published keys (protocol.md §5). A correction is the next version and names the one it corrects by
 * version and digest. Sending the current version again answers it as a replay (200).
 */
import { refuse } from '../errors.ts';
import { trustedPayload, verifyIssuerDocument } from '../issuer-document.ts';
import { b64url, sha256 } from '../merkle.ts';
import { psvReportedNotice } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { CASE_SK, caseAttrs, caseKeysOf, casePk, encryptCaseField, listingWrites, reportSk, type CaseKeys } from '../psv-cases.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';
import { validateDocument } from '../validation.ts';

export const PSV_REPORT_TYP = 'corridor-psv-report+jws';
const POINTER = '/body/document';
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const AGENCY = /^[A-Z]{2}-[A-Z0-9]{2,16}$/;

export type PsvOutcome = 'verified' | 'not-verified' | 'diverted' | 'access-refused' | 'unable';

export interface PsvReportDocument {
  caseId: string;
  requester: string;
  issuer: string;
  version: number;
  issuedAt: string;
  licenseId: string;
  outcome: PsvOutcome;
  visitDate: string;
  itemsSeen: { line: number; quantity: number; serialNumbers?: string[] }[];
  findings: string;
  supersedes?: { version: number; digest: string };
}

const resultOf = (k: CaseKeys, version: number, digest: string, replayed: boolean): Record<string, unknown> => ({ caseId: k.caseId, requester: k.requester, version, digest, status: 'reported', replayed });

export async function psvReport(ctx: ActionContext, body: { document: string }): Promise<ActionOutcome> {
  const { services, caller } = ctx;
  // Unverified here: only names the audit resource, and only when it has the shape of ids.
  const peek = peekPayload(body.document);
  if (typeof peek?.requester === 'string' && AGENCY.test(peek.requester) && typeof peek.caseId === 'string' && ID.test(peek.caseId)) {
    ctx.target.resource = `psv:${peek.requester}/${peek.caseId}`;
    ctx.target.owner = peek.requester;
  }

  const { payload, kid } = await verifyIssuerDocument(body.document, PSV_REPORT_TYP, caller, services.directory, POINTER);
  const valid = validateDocument('psv-report', payload);
  if (!valid.ok) refuse('ERR_DOCUMENT_INVALID', 'document does not match the psv-report schema', valid.errors);
  const doc = payload as unknown as PsvReportDocument;
  if (doc.issuer !== caller.agencyId) refuse('ERR_FORBIDDEN', `report issuer ${doc.issuer} is not the caller ${caller.agencyId}`);
  if (Date.parse(doc.issuedAt) > ctx.now + 60_000) refuse('ERR_DOCUMENT_INVALID', 'issuedAt is in the future', [{ pointer: `${POINTER}/payload/issuedAt`, detail: 'in the future' }]);
  if (doc.visitDate > doc.issuedAt.slice(0, 10)) refuse('ERR_DOCUMENT_INVALID', 'visitDate is after the report was issued', [{ pointer: `${POINTER}/payload/visitDate`, detail: 'after issuedAt' }]);

  const pk = casePk(doc.requester, doc.caseId);
  const rec = await services.store.get('documents', pk, CASE_SK);
  const keys = rec ? caseKeysOf(rec) : null;
  // A case addressed to another agency is not found either: nobody learns which cases exist.
  if (!rec || !keys || keys.checker !== caller.agencyId) refuse('ERR_NOT_FOUND', `${doc.requester} has asked ${caller.agencyId} for no case ${doc.caseId}`);
  if (doc.licenseId !== keys.licenseId) refuse('ERR_DOCUMENT_INVALID', `licenseId is not the license of case ${doc.caseId}`, [{ pointer: `${POINTER}/payload/licenseId`, detail: 'not the license of the case' }]);

  const digest = b64url(sha256(body.document));
  const current = keys.reportVersion ?? 0;
  const currentDigest = typeof rec.attrs.reportDigest === 'string' ? rec.attrs.reportDigest : undefined;
  if (doc.version === current && digest === currentDigest) {
    ctx.target.details = { version: doc.version, replayed: true };
    return { status: 200, result: resultOf(keys, doc.version, digest, true), writes: [] };
  }
  if (doc.version !== current + 1) refuse('ERR_CONFLICT', `case ${doc.caseId} has ${current ? `report version ${current}` : 'no report'}: the next version is ${current + 1}`);
  if (current === 0 && doc.supersedes) refuse('ERR_CONFLICT', `case ${doc.caseId} has no report to supersede`);
  if (current > 0 && (doc.supersedes?.version !== current || doc.supersedes.digest !== currentDigest)) {
    refuse('ERR_CONFLICT', `a correction names the report it corrects: supersedes {version: ${current}, digest: ${currentDigest}}`);
  }

  const reportedAt = isoNow(ctx.now);
  const next: CaseKeys = { ...keys, stored: 'reported', reportVersion: doc.version, reportedAt };
  const vsk = reportSk(doc.version);
  ctx.target.details = { version: doc.version };
  return {
    status: 201,
    result: resultOf(next, doc.version, digest, false),
    writes: [
      { op: 'put', record: { table: 'documents', pk, sk: vsk, attrs: { version: doc.version, digest, kid, issuedAt: doc.issuedAt, reportedAt, doc: await encryptCaseField(services.cipher, doc.requester, doc.caseId, vsk, 'doc', body.document) } }, condition: { kind: 'absent' } },
      { op: 'put', record: { table: 'documents', pk, sk: CASE_SK, attrs: { ...rec.attrs, ...caseAttrs(next), reportDigest: digest, ver: Number(rec.attrs.ver) + 1 } }, condition: { kind: 'version', equals: Number(rec.attrs.ver) } },
      ...listingWrites(next),
      ...await outboxWrites(ctx, [psvReportedNotice(caller.agencyId, doc.requester, doc.caseId, { version: doc.version, digest })]),
    ],
    // a report or correction landed meanwhile: re-read, and the version rules answer by state
    retryOnConflict: true,
  };
}

function peekPayload(jws: string): Record<string, unknown> | null {
  try {
    return trustedPayload(jws);
  } catch {
    return null;
  }
}
