// consultation.open / answer / list (protocol.md §5): the no-undercut consultation on a partner's denial.
import { beforeEach, describe, expect, it } from 'vitest';
import { addWorkingDays } from '../../lambdas/core/working-days.ts';
import { denialDoc, notify } from '../helpers/denials.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { plaintextAtRest } from '../security/at-rest.ts';

let x: TestExchange;
let bafa: TestAgency;
let fr: TestAgency;
let it_: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  fr = await x.agency('FR-SBDU', ['licensing']);
  it_ = await x.agency('IT-UAMA', ['licensing']);
  expect((await notify(x, bafa)).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: ['screen'] })).status).toBe(201);
});

const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const SUMMARY = '40 thermal cameras to Pars Optronic via Dubai, same end use';
const open = (as = fr, body: Record<string, unknown> = {}) => x.call(as, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: SUMMARY, ...body });
type C = { consultationId: string; state: string; deadline: string; extended: boolean; answers: { answer: string; text: string }[]; side: string };
const consultationOf = (a: Answer): C => a.result.consultation as C;
const answer = (id: string, body: Record<string, unknown>, as = bafa) => x.call(as, 'consultation.answer', { consultationId: id, ...body });

describe('working days', () => {
  it('weekends do not count: 10 working days after a Monday is the Monday two weeks on; after a Friday, a Friday', () => {
    expect(addWorkingDays('2026-11-23', 10)).toBe('2026-12-07');
    expect(addWorkingDays('2026-11-27', 10)).toBe('2026-12-11');
    expect(addWorkingDays('2026-11-28', 1)).toBe('2026-11-30');
    expect(addWorkingDays('2026-11-23', 30)).toBe('2027-01-04');
  });
});

describe('consultation.open', () => {
  it('opens on a denial the caller can see (201): deadline 10 working days on, summary encrypted, both sides hold it', async () => {
    const a = await open();
    expect(a.status).toBe(201);
    expect(consultationOf(a)).toEqual({
      consultationId: expect.stringMatching(/^C-20261122T100000Z-[A-Z2-7]{8}$/), requester: 'FR-SBDU', consulted: 'DE-BAFA',
      denialId: 'DE-DEN-2026-0042', denialVersion: 1, side: 'requester', state: 'open', openedAt: '2026-11-22T10:00:00.000Z',
      deadline: '2026-12-04', extended: false, summary: SUMMARY, answers: [],
    });
    const id = consultationOf(a).consultationId;
    expect(await x.store.get('documents', 'CONSULTS#DE-BAFA', id)).toMatchObject({ attrs: { side: 'consulted', state: 'open', thread: expect.any(Uint8Array) } });
    expect(plaintextAtRest(x, [SUMMARY, 'thermal cameras'])).toEqual([]);
    expect(x.auditEvents().at(-1)).toMatchObject({ action: 'consultation.open', actor: 'FR-SBDU', owner: 'DE-BAFA', resource: `consultation:${id}`, details: { denial: 'DE-BAFA/DE-DEN-2026-0042', denialVersion: 1, deadline: '2026-12-04', summaryDigest: expect.any(String) } });
  });

  it('403 without screen or read (before 404); 404 for a denial that does not exist; 409 once revoked; not on one\'s own', async () => {
    await refused(() => open(it_), 403, 'no-agreement');
    await refused(() => open(it_, { denialId: 'NOPE' }), 403, 'no-agreement');
    await refused(() => open(fr, { denialId: 'NOPE' }), 404, 'not-found');
    const self = await refused(() => open(bafa), 400, 'body-invalid');
    expect(self).toBe('an authority does not consult itself about its own denial');
    await x.call(bafa, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'r' });
    await refused(() => open(), 409, 'conflict');
    const customs = await x.agency('NL-DOUANE', ['customs']);
    await refused(() => open(customs), 403, 'role-forbidden');
  });
});

describe('consultation.answer', () => {
  let id: string;
  beforeEach(async () => {
    id = consultationOf(await open()).consultationId;
  });

  it('information keeps it open and may extend the deadline once, to 30 working days; maintained ends it', async () => {
    const a = await answer(id, { answer: 'information', text: 'checking the end user', extend: true });
    expect([a.status, a.result.denialRevoked]).toEqual([200, false]);
    expect(consultationOf(a)).toMatchObject({ side: 'consulted', state: 'open', extended: true, deadline: '2027-01-01', answers: [{ answer: 'information', text: 'checking the end user', at: '2026-11-22T10:00:00.000Z', extended: true }] });
    await refused(() => answer(id, { answer: 'information', text: 'more', extend: true }), 409, 'conflict');
    const m = await answer(id, { answer: 'maintained', text: 'the concern stands' });
    expect(consultationOf(m)).toMatchObject({ state: 'maintained', answers: [{ answer: 'information' }, { answer: 'maintained' }] });
    await refused(() => answer(id, { answer: 'withdrawn', text: 'changed our mind' }), 409, 'conflict');
    expect(x.auditEvents().at(-2)).toMatchObject({ action: 'consultation.answer', actor: 'DE-BAFA', owner: 'FR-SBDU', details: { answer: 'maintained', revoked: false, textDigest: expect.any(String) } });
  });

  it('withdrawn revokes the denial in the same transaction: it no longer screens, and the requester sees the answer', async () => {
    const w = await answer(id, { answer: 'withdrawn', text: 'no objection any more' });
    expect([w.result.denialRevoked, consultationOf(w).state]).toEqual([true, 'withdrawn']);
    expect((await x.store.get('documents', 'DENIAL#DE-BAFA#DE-DEN-2026-0042', 'CUR#HEAD'))!.attrs.status).toBe('revoked');
    const s = await x.call(fr, 'screening.check', { parties: [{ name: 'Pars Optronic Industries', country: 'IR' }] });
    expect(s.result.denialsScreened).toBe(0);
    const list = await x.call(fr, 'consultation.list', {});
    expect((list.result.consultations as C[]).map((c) => [c.side, c.state, c.answers.map((a) => a.answer)])).toEqual([['requester', 'withdrawn', ['withdrawn']]]);
  });

  it('only the consulted authority answers (403); another pair\'s consultation is 404; extend only with information (400)', async () => {
    await refused(() => answer(id, { answer: 'information', text: 'x' }, fr), 403, 'forbidden');
    await refused(() => answer(id, { answer: 'maintained', text: 'x' }, it_), 404, 'not-found');
    await refused(() => answer(id, { answer: 'maintained', text: 'x', extend: true }), 400, 'body-invalid');
  });

  it('past its deadline an open consultation has lapsed: no answer is taken, both sides list it as lapsed', async () => {
    x.time = Date.parse('2026-12-05T00:00:00Z');
    const detail = await refused(() => answer(id, { answer: 'maintained', text: 'late' }), 409, 'conflict');
    expect(detail).toBe(`the deadline 2026-12-04 has passed: consultation ${id} lapsed`);
    for (const who of [fr, bafa]) expect(((await x.call(who, 'consultation.list', {})).result.consultations as C[])[0]!.state).toBe('lapsed');
  });
});

describe('consultation.list', () => {
  it('pages both sides, oldest first, with a cursor bound to the caller', async () => {
    const theirs = await notify(x, fr, denialDoc({ issuer: 'FR-SBDU', denialId: 'FR-D-9' }));
    expect(theirs.status).toBe(201);
    await x.call(fr, 'agreement.put', { partner: 'DE-BAFA', documentType: 'denial', permissions: ['read'] });
    for (let i = 0; i < 3; i++) {
      x.time += 1000;
      await open();
    }
    x.time += 1000;
    await open(bafa, { issuer: 'FR-SBDU', denialId: 'FR-D-9' });
    const p1 = await x.call(fr, 'consultation.list', { limit: 3 });
    expect((p1.result.consultations as C[]).map((c) => c.side)).toEqual(['requester', 'requester', 'requester']);
    expect(p1.result.cursor).toEqual(expect.any(String));
    const p2 = await x.call(fr, 'consultation.list', { limit: 3, cursor: p1.result.cursor });
    expect([(p2.result.consultations as C[]).map((c) => c.side), p2.result.cursor]).toEqual([['consulted'], null]);
    await refused(() => x.call(bafa, 'consultation.list', { cursor: p1.result.cursor }), 400, 'body-invalid');
  });
});
