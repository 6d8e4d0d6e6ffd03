// Attacks on denials, screening and consultations (protocol.md §5): acting for another authority, learning more than
// a grant allows, odd and oversized names, and — at the end — nothing of it stored in the clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import { DENIAL_PLAINTEXT, denialDoc, notify } from '../helpers/denials.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { plaintextAtRest } from './at-rest.ts';

let x: TestExchange;
let bafa: TestAgency;
let fr: TestAgency;
let it_: TestAgency;
let douane: TestAgency;
let zoll: TestAgency;
let auditor: TestAgency;
let consultationId: string;
const SUMMARY = 'Forty cameras for the Tehran optics maker, via a Dubai free-zone trader';
const ANSWER_TEXT = 'The end user still supplies weapon sights';

const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const screen = (as: TestAgency, parties: unknown[], items?: unknown[]) => x.call(as, 'screening.check', { parties, ...(items ? { items } : {}) });

beforeAll(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  fr = await x.agency('FR-SBDU', ['licensing']);
  it_ = await x.agency('IT-UAMA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  zoll = await x.agency('AT-ZOLL', ['customs']);
  auditor = await x.agency('DE-BFDI', ['auditor']);
  expect((await notify(x, bafa)).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'denial', permissions: ['screen'] })).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: ['screen'] })).status).toBe(201);
  const opened = await x.call(fr, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: SUMMARY });
  consultationId = (opened.result.consultation as { consultationId: string }).consultationId;
  expect((await x.call(bafa, 'consultation.answer', { consultationId, answer: 'information', text: ANSWER_TEXT })).status).toBe(200);
});

describe('acting for another authority', () => {
  it('a denial naming another issuer is 403; another authority\'s denial cannot be revoked (404) or amended under its id', async () => {
    await refused(() => notify(x, fr, denialDoc({ version: 2 })), 403, 'forbidden');
    await refused(() => x.call(fr, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'hostile' }), 404, 'not-found');
    // the same id under the caller's own name is the caller's own denial, not BAFA's
    expect((await notify(x, fr, denialDoc({ issuer: 'FR-SBDU', parties: [{ role: 'end-user', name: 'Other Co', country: 'IR' }] }))).status).toBe(201);
    expect((await x.store.get('documents', 'DENIAL#DE-BAFA#DE-DEN-2026-0042', 'CUR#HEAD'))!.attrs.status).toBe('active');
  });

  it('a document signed with another authority\'s key is refused before anything is stored', async () => {
    const forged = await signDocument(bafa.privateJwk, 'corridor-denial+jws', denialDoc({ issuer: 'FR-SBDU', denialId: 'FR-FORGED' }));
    await refused(() => x.call(fr, 'denial.notify', { document: forged }), 400, 'document-invalid');
  });

  it('roles: customs neither notifies, revokes nor consults; an auditor does not screen; naming the issuer in revoke is no way around it', async () => {
    await refused(() => notify(x, douane, denialDoc({ issuer: 'NL-DOUANE' })), 403, 'role-forbidden');
    await refused(() => x.call(douane, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'x' }), 403, 'role-forbidden');
    await refused(() => x.call(douane, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: 'x' }), 403, 'role-forbidden');
    await refused(() => screen(auditor, [{ name: 'Pars Optronic Industries', country: 'IR' }]), 403, 'role-forbidden');
    await refused(() => x.call(fr, 'denial.revoke', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', reason: 'x' }), 400, 'body-invalid');
  });

  it('only the consulted authority answers; a third authority finds no such consultation and lists none of it', async () => {
    await refused(() => x.call(fr, 'consultation.answer', { consultationId, answer: 'withdrawn', text: 'self-service' }), 403, 'forbidden');
    await refused(() => x.call(it_, 'consultation.answer', { consultationId, answer: 'withdrawn', text: 'hijack' }), 404, 'not-found');
    const list = await x.call(it_, 'consultation.list', {});
    expect(list.result.consultations).toEqual([]);
    expect((await x.store.get('documents', 'DENIAL#DE-BAFA#DE-DEN-2026-0042', 'CUR#HEAD'))!.attrs.status).toBe('active');
  });
});

describe('what a grant discloses', () => {
  it('without an agreement the exact listed name finds nothing and the answer names no denial', async () => {
    const a = await screen(zoll, [{ name: 'Pars Optronic Industries', country: 'IR', address: '12 Azadi Street, Tehran' }]);
    expect([a.status, a.result.denialsScreened, a.result.denials]).toEqual([200, 0, []]);
    expect(JSON.stringify(a.result)).not.toContain('DE-DEN');
  });

  it('with screen: the match, never the denial\'s names, aliases, addresses, items or rationale', async () => {
    const a = await screen(douane, [{ name: 'PARS OPTRONICS', country: 'IR' }, { name: 'Gulf Star Trading', country: 'AE' }], [{ controlCode: '6A003' }]);
    const text = JSON.stringify(a.result);
    expect((a.result.parties as { matches: unknown[] }[]).map((p) => p.matches.length)).toEqual([1, 1]);
    for (const secret of [...DENIAL_PLAINTEXT, 'Pars Optronic Industries', 'military-end-use', '6A003.b.4', 'wassenaar']) expect(text).not.toContain(secret);
  });

  it('a withdrawn screen grant stops screening at once; consultation.open needs the grant too', async () => {
    expect((await x.call(bafa, 'agreement.put', { partner: 'AT-ZOLL', documentType: 'denial', permissions: ['screen'] })).status).toBe(201);
    expect((await screen(zoll, [{ name: 'Pars Optronic Industries', country: 'IR' }])).result.denialsScreened).toBe(1);
    expect((await x.call(bafa, 'agreement.put', { partner: 'AT-ZOLL', documentType: 'denial', permissions: [] })).status).toBe(200);
    expect((await screen(zoll, [{ name: 'Pars Optronic Industries', country: 'IR' }])).result.denialsScreened).toBe(0);
    await refused(() => x.call(it_, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: 'x' }), 403, 'no-agreement');
  });
});

describe('odd and oversized input to screening', () => {
  it('about the most a body may hold (256 KiB) — 100 parties of 300-character names of one-letter words, 4 aliases, 100 items — is answered', async () => {
    const name = Array.from({ length: 150 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(' ');
    const party = { name, country: 'IR', address: 'a'.repeat(100), aliases: Array(4).fill(name) };
    const a = await screen(douane, Array(100).fill(party), Array.from({ length: 100 }, (_, i) => ({ controlCode: `6A${String(i).padStart(3, '0')}` })));
    expect([a.status, (a.result.parties as unknown[]).length]).toEqual([200, 100]);
  });

  it.each([
    ['punctuation only', '!!! ... ,,, ---'],
    ['legal forms only', 'GmbH & Co. KG'],
    ['stopwords only', 'The And Of'],
    ['emoji', '🚀🚀 Rocket ✈️ Trading'],
    ['right-to-left and zero-width marks', '\u202EPars\u200B Optronic\u200D Industries\u202C'],
    ['300 stacked combining marks', `P${'\u0301'.repeat(299)}`],
    ['Cyrillic only', 'ООО Ромашка'],
    ['CJK', '中山精密机械有限公司'],
  ])('a name of %s is screened (200), never 503', async (_n, name) => {
    const a = await screen(douane, [{ name, country: 'IR' }]);
    expect(a.status).toBe(200);
  });

  it('a mark-laden spelling of a listed name still matches it', async () => {
    const a = await screen(douane, [{ name: '\u202EPárs\u200B Öptronic\u200D Industries\u202C', country: 'IR' }]);
    expect((a.result.parties as { matches: unknown[] }[])[0]!.matches).toHaveLength(1);
  });

  it.each([
    ['101 parties', () => ({ parties: Array(101).fill({ name: 'a', country: 'IR' }) }), '/body/parties'],
    ['a name of 301 characters', () => ({ parties: [{ name: 'n'.repeat(301), country: 'IR' }] }), '/body/parties/0/name'],
    ['21 aliases', () => ({ parties: [{ name: 'a', country: 'IR', aliases: Array(21).fill('b') }] }), '/body/parties/0/aliases'],
    ['101 items', () => ({ parties: [{ name: 'a', country: 'IR' }], items: Array(101).fill({ controlCode: '6A003' }) }), '/body/items'],
    ['a lower-case country', () => ({ parties: [{ name: 'a', country: 'ir' }] }), '/body/parties/0/country'],
    ['no parties', () => ({ parties: [] }), '/body/parties'],
  ])('%s → 400 body-invalid at its pointer, nothing echoed', async (_n, body, pointer) => {
    let a!: Answer;
    await refused(async () => (a = await x.call(douane, 'screening.check', body())), 400, 'body-invalid');
    expect(a.problem.errors!.map((e) => e.pointer)).toContain(pointer);
    expect(a.raw.body.length).toBeLessThan(4_000);
  });

  it('a consultation summary of 4,001 characters and an answer with extend on maintained are refused', async () => {
    await refused(() => x.call(fr, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: 's'.repeat(4001) }), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'consultation.answer', { consultationId, answer: 'maintained', text: 't', extend: true }), 400, 'body-invalid');
  });
});

afterAll(() => {
  // names, addresses, items, rationale, reasons, summaries and answers: none in the clear, in any table, in any encoding
  expect(plaintextAtRest(x, [...DENIAL_PLAINTEXT, SUMMARY, ANSWER_TEXT, 'Other Co'])).toEqual([]);
  expect(JSON.stringify(x.auditEvents())).not.toMatch(/Pars|Gulf Star|Tehran|Rocket|Forty cameras/);
});
