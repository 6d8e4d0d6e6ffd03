/**
 * The notices actions commit to the outbox (outbox.ts), one constructor per kind of change, so each action adds
 * one line. `data` is minimal: statuses, versions, counts; the receivers' views are cut in types.ts.
 */
import type { KeyChange } from '../actions/key-changes.ts';
import type { DocumentKind, DocumentStatus } from '../documents.ts';
import type { Notice } from './types.ts';

/** Percentages of a license line's quantity that notify when a drawdown reaches them (license.balance). */
export const BALANCE_THRESHOLDS = [80, 100] as const;

const documentSubject = (kind: DocumentKind, issuer: string, documentId: string) => ({ documentType: kind, issuer, documentId });

/** license.status / euc.status: the owner changed a document's status. */
export function statusNotice(kind: DocumentKind, issuer: string, id: string, data: { status: DocumentStatus; previous: DocumentStatus; changedAt: string; reason: string }): Notice {
  return { evt: kind === 'license' ? 'license.status' : 'euc.status', owner: issuer, sub: documentSubject(kind, issuer, id), data };
}

/** license.version: a new version of a license was published (none for its first version: nobody could hold it yet). */
export function versionNotices(kind: DocumentKind, issuer: string, id: string, superseded: boolean, data: { version: number; digest: string }): Notice[] {
  return kind === 'license' && superseded ? [{ evt: 'license.version', owner: issuer, sub: documentSubject('license', issuer, id), data }] : [];
}

/**
 * license.drawdown for the issuer, and license.balance for each line this drawdown took to 80 % or 100 % of its
 * quantity (the highest threshold it reached; a line already past it notifies nothing).
 */
export function drawdownNotices(
  issuer: string, licenseId: string, agency: string, declarationId: string, date: string,
  lines: readonly { line: number; drawn: number; remaining: number }[], quantities: ReadonlyMap<number, number>,
): Notice[] {
  const sub = documentSubject('license', issuer, licenseId);
  const out: Notice[] = [{ evt: 'license.drawdown', owner: issuer, sub, data: { agency, declarationId, date, lines: lines.map(({ line, drawn, remaining }) => ({ line, drawn, remaining })) } }];
  for (const l of lines) {
    const quantity = quantities.get(l.line);
    if (!quantity) continue;
    const after = quantity - l.remaining;
    const before = after - l.drawn;
    const reached = [...BALANCE_THRESHOLDS].reverse().find((t) => before * 100 < t * quantity && after * 100 >= t * quantity);
    if (reached) out.push({ evt: 'license.balance', owner: issuer, sub, data: { line: l.line, reached, remaining: l.remaining } });
  }
  return out;
}

/** agency.key: each key of `agencyId` retired or revoked by this call (a key added notifies nobody). */
export function keyNotices(agencyId: string, changes: readonly KeyChange[], changedAt: string): Notice[] {
  return changes
    .filter((c) => c.to === 'retired' || c.to === 'revoked')
    .map((c) => ({ evt: 'agency.key', owner: agencyId, sub: { agencyId, kid: c.kid }, data: { status: c.to, changedAt } }));
}

/** delivery.confirmed to the license's issuer: who confirmed which import declaration, lines and quantities, flags. */
export function deliveryNotice(issuer: string, licenseId: string, data: { agency: string; importDeclarationId: string; date: string; lines: readonly { line: number; quantity: number }[]; flags: readonly string[] }): Notice {
  return { evt: 'delivery.confirmed', owner: issuer, sub: documentSubject('license', issuer, licenseId), data: { ...data, lines: data.lines.map(({ line, quantity }) => ({ line, quantity })) } };
}

const caseSubject = (caseType: 'psv' | 'consultation', requester: string, caseId: string) => ({ caseType, requester, caseId });

/** psv.requested to the checking agency: the license and the due date; never the end user, site or questions. */
export function psvRequestedNotice(requester: string, caseId: string, checker: string, data: { licenseId: string; dueDate: string; lines: number }): Notice {
  return { evt: 'psv.requested', owner: requester, sub: caseSubject('psv', requester, caseId), to: [checker], data };
}

/** psv.reported to the requester: the report's version and digest; never its outcome or findings (psv.query has them). */
export function psvReportedNotice(checker: string, requester: string, caseId: string, data: { version: number; digest: string }): Notice {
  return { evt: 'psv.reported', owner: checker, sub: caseSubject('psv', requester, caseId), to: [requester], data: { status: 'reported', ...data } };
}

/** psv.overdue to both sides: the due date passed with no report (the scheduled scan, psv-overdue.ts); ids and dates only. */
export function psvOverdueNotice(requester: string, caseId: string, checker: string, data: { licenseId: string; dueDate: string; requestedAt: string }): Notice {
  return { evt: 'psv.overdue', owner: requester, sub: caseSubject('psv', requester, caseId), to: [checker], data: { status: 'overdue', ...data } };
}

/** denial.notified / denial.revoked to partners with a denial agreement: ids, status, version; never names or reasons. */
export function denialNotice(issuer: string, denialId: string, data: { status: 'active'; version: number; validUntil: string; digest: string } | { status: 'revoked'; version: number; changedAt: string }): Notice {
  return { evt: data.status === 'active' ? 'denial.notified' : 'denial.revoked', owner: issuer, sub: { documentType: 'denial', issuer, documentId: denialId }, data };
}

/** consultation.opened to the consulted authority: which denial and the deadline; never the summary. */
export function consultationOpenedNotice(requester: string, consulted: string, consultationId: string, data: { denialId: string; denialVersion: number; deadline: string }): Notice {
  return { evt: 'consultation.opened', owner: requester, sub: caseSubject('consultation', requester, consultationId), to: [consulted], data: { state: 'open', ...data } };
}

/** consultation.answered to the authority that opened it: the kind of answer and the state; never the text. */
export function consultationAnsweredNotice(consulted: string, requester: string, consultationId: string, data: { answer: string; state: string; deadline: string; denialRevoked: boolean }): Notice {
  return { evt: 'consultation.answered', owner: consulted, sub: caseSubject('consultation', requester, consultationId), to: [requester], data };
}
