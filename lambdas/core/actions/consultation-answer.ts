/**
 * `consultation.answer`: the consulted authority answers (protocol.md §5): `maintained` or `withdrawn` end the
 * consultation; `withdrawn` also revokes the denial, in the same transaction; `information` adds to the thread
 * and may, once, extend the deadline to 30 working days after opening. An open consultation past its deadline has
 * lapsed and takes no answer (silence counts as no objection). Only the consulted side answers; the requester's
 * record changes in the same transaction. The audit event carries a digest of the text.
 */
import { consultationView, consultationWrite, deadlineOf, getConsultation, MAX_ANSWERS, readThread, stateOn, type Answer, type AnswerKind, type Consultation } from '../consultations.ts';
import { getDenial } from '../denials.ts';
import { refuse } from '../errors.ts';
import { sha256b64url } from '../merkle.ts';
import { consultationAnsweredNotice, denialNotice } from '../notifications/notices.ts';
import type { Notice } from '../notifications/types.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { isoNow, today, type ActionContext, type ActionOutcome } from '../services.ts';
import { revocationWrites } from './denial-revoke.ts';

export interface ConsultationAnswerBody { consultationId: string; answer: AnswerKind; text: string; extend?: true }

export async function consultationAnswer(ctx: ActionContext, body: ConsultationAnswerBody): Promise<ActionOutcome> {
  const { services } = ctx;
  const me = ctx.caller.agencyId;
  ctx.target.resource = `consultation:${body.consultationId}`;
  // Under the caller's own partition: another pair's consultation is simply not found.
  const mine = await getConsultation(services.store, me, body.consultationId);
  if (!mine) refuse('ERR_NOT_FOUND', `${me} has no consultation ${body.consultationId}`);
  const { c } = mine;
  ctx.target.owner = mine.side === 'consulted' ? c.requester : c.consulted;
  if (mine.side !== 'consulted') refuse('ERR_FORBIDDEN', `only the consulted authority ${c.consulted} answers consultation ${c.consultationId}`);
  const day = today(ctx.now);
  const state = stateOn(c, day);
  if (state === 'lapsed') refuse('ERR_CONFLICT', `the deadline ${c.deadline} has passed: consultation ${c.consultationId} lapsed`);
  if (state !== 'open') refuse('ERR_CONFLICT', `consultation ${c.consultationId} was already answered: ${state}`);
  if (body.extend && c.extended) refuse('ERR_CONFLICT', `the deadline of consultation ${c.consultationId} was already extended once`);
  const theirs = await getConsultation(services.store, c.requester, c.consultationId);
  if (!theirs) throw new Error('consultation without its requester record');
  const [myThread, theirThread] = await Promise.all([readThread(services.cipher, me, mine), readThread(services.cipher, c.requester, theirs)]);
  if (myThread.answers.length >= MAX_ANSWERS) refuse('ERR_CONFLICT', `consultation ${c.consultationId} holds ${MAX_ANSWERS} answers; answer maintained or withdrawn`);

  const at = isoNow(ctx.now);
  const answer: Answer = { answer: body.answer, text: body.text, at, ...(body.extend ? { extended: true as const } : {}) };
  const next: Consultation = {
    ...c,
    state: body.answer === 'information' ? 'open' : body.answer,
    ...(body.extend ? { extended: true, deadline: deadlineOf(c.openedAt, true) } : {}),
  };
  const writes = [
    await consultationWrite(services.cipher, me, 'consulted', next, { ...myThread, answers: [...myThread.answers, answer] }, mine.ver),
    await consultationWrite(services.cipher, c.requester, 'requester', next, { ...theirThread, answers: [...theirThread.answers, answer] }, theirs.ver),
  ];
  let revoked = false;
  const notices: Notice[] = [];
  if (body.answer === 'withdrawn') {
    const head = await getDenial(services.store, me, c.denialId);
    // Already revoked (by denial.revoke meanwhile): the answer stands, there is nothing left to revoke.
    if (head?.status === 'active') {
      writes.push(...await revocationWrites(services, head, `withdrawn in consultation ${c.consultationId}: ${body.text}`, at));
      revoked = true;
      notices.push(denialNotice(me, c.denialId, { status: 'revoked', version: head.version, changedAt: at }));
    }
  }
  notices.unshift(consultationAnsweredNotice(me, c.requester, c.consultationId, { answer: body.answer, state: next.state, deadline: next.deadline, denialRevoked: revoked }));
  writes.push(...await outboxWrites(ctx, notices));
  ctx.target.details = { answer: body.answer, ...(body.extend ? { extended: true } : {}), deadline: next.deadline, revoked, textDigest: sha256b64url(body.text) };
  return { status: 200, result: { consultation: consultationView(next, 'consulted', { ...myThread, answers: [...myThread.answers, answer] }, day), denialRevoked: revoked }, writes, retryOnConflict: true };
}
