/**
 * `consultation.open`: before granting an essentially identical transaction, a licensing authority consults the
 * authority that denied it (protocol.md §5). It must be able to see the denial (a `denial` agreement granting
 * `screen` or `read`; 403 before 404), and the denial must be in force. The consulted authority has 10 working
 * days (consultations.ts). Both sides get their own record; the summary is stored encrypted, and the audit event
 * carries its digest, so either side can later prove what was asked and when.
 */
import { consultationView, consultationWrite, deadlineOf, newConsultationId, type Consultation, type Thread } from '../consultations.ts';
import { denialInForce, denialResource, getDenial } from '../denials.ts';
import { refuse } from '../errors.ts';
import { sha256b64url } from '../merkle.ts';
import { consultationOpenedNotice } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { grants } from '../policy.ts';
import { isoNow, today, type ActionContext, type ActionOutcome } from '../services.ts';

export interface ConsultationOpenBody { issuer: string; denialId: string; summary: string }

export async function consultationOpen(ctx: ActionContext, body: ConsultationOpenBody): Promise<ActionOutcome> {
  const { services } = ctx;
  const me = ctx.caller.agencyId;
  ctx.target.resource = denialResource(body.issuer, body.denialId);
  ctx.target.owner = body.issuer;
  if (body.issuer === me) refuse('ERR_BODY_INVALID', 'an authority does not consult itself about its own denial', [{ pointer: '/body/issuer', detail: 'must be another authority' }]);
  const day = today(ctx.now);
  const sees = (a: Parameters<typeof grants>[0]): boolean => grants(a, 'screen', day) || grants(a, 'read', day);
  const agreement = await services.directory.agreement(body.issuer, 'denial', me, sees);
  if (!sees(agreement)) refuse('ERR_NO_AGREEMENT', `${body.issuer} has not granted ${me} screen or read on its denials`);
  const head = await getDenial(services.store, body.issuer, body.denialId);
  if (!head) refuse('ERR_NOT_FOUND', `${body.issuer} has no denial ${body.denialId}`);
  if (!denialInForce(head, day)) refuse('ERR_CONFLICT', `denial ${body.denialId} is ${head.status === 'revoked' ? 'revoked' : 'past its validUntil'}; there is nothing to consult on`);

  const openedAt = isoNow(ctx.now);
  const c: Consultation = {
    consultationId: newConsultationId(ctx.now), requester: me, consulted: body.issuer, denialId: body.denialId,
    denialVersion: head.version, state: 'open', openedAt, deadline: deadlineOf(openedAt, false), extended: false,
  };
  const thread: Thread = { summary: body.summary, answers: [] };
  ctx.target.resource = `consultation:${c.consultationId}`;
  ctx.target.details = { denial: `${body.issuer}/${body.denialId}`, denialVersion: head.version, deadline: c.deadline, summaryDigest: sha256b64url(body.summary) };
  return {
    status: 201,
    result: { consultation: consultationView(c, 'requester', thread, day) },
    writes: [
      await consultationWrite(services.cipher, me, 'requester', c, thread, null),
      await consultationWrite(services.cipher, body.issuer, 'consulted', c, thread, null),
      ...await outboxWrites(ctx, [consultationOpenedNotice(me, body.issuer, c.consultationId, { denialId: body.denialId, denialVersion: head.version, deadline: c.deadline })]),
    ],
  };
}
