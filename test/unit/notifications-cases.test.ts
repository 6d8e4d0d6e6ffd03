// The notification types of end-use assurance and denials (protocol.md §10) on memory adapters: each reaches exactly
// its receivers (the license's issuer, the other side of a psv case or consultation, partners with a denial
// agreement), with ids, statuses and counts only, never names, findings, questions, summaries or texts; an agency
// without the agreement or outside the case gets nothing, and a refused action commits no notice.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeEach, describe, expect, it } from 'vitest';
import { DENIAL_PLAINTEXT, denialDoc, notify } from '../helpers/denials.ts';
import { confirmBody, END_USE_PLAINTEXT, psvRequestBody, report } from '../helpers/end-use.ts';
import { publish } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { NotifyHarness } from '../helpers/notify-harness.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
const DIR = join(import.meta.dirname, '../../schemas');
for (const f of readdirSync(DIR).filter((n) => n.endsWith('.json'))) ajv.addSchema(JSON.parse(readFileSync(join(DIR, f), 'utf8')) as object);
function expectSchema(name: string, value: unknown): void {
  const v = ajv.getSchema(`urn:corridor:schema:${name}`)!;
  expect(v(value) ? [] : v.errors, `${name}: ${JSON.stringify(value)}`).toEqual([]);
}

const ALL = [
  'license.status', 'license.version', 'license.drawdown', 'license.balance', 'euc.status', 'agency.key',
  'delivery.confirmed', 'psv.requested', 'psv.reported', 'denial.notified', 'denial.revoked', 'consultation.opened', 'consultation.answered',
];
const HOOK = 'http://127.0.0.1:9/hook';
const LICENSE = { documentType: 'license', issuer: 'DE-BAFA', documentId: 'DE-2026-000123' };
const DENIAL = { documentType: 'denial', issuer: 'DE-BAFA', documentId: 'DE-DEN-2026-0042' };
/** Free text of the bodies and documents below that no notification may carry. */
const TEXTS = [...END_USE_PLAINTEXT, ...DENIAL_PLAINTEXT, 'Lumen Trading', 'Someone Else Ltd', 'not-verified', 'TC-0001', 'same end use', 'reconsidered', 'no longer relevant'];

let h: NotifyHarness;
let bafa: TestAgency, sgc: TestAgency, mti: TestAgency, fr: TestAgency, it_: TestAgency, us: TestAgency;

async function ok(a: TestAgency, action: ActionName, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await h.x.call(a, action, body);
  if (r.status >= 300) throw new Error(`${action}: ${JSON.stringify(r.problem)}`);
  return r.result;
}

/** What each agency received, as [evt, sub, data]; every claims set checked against its schema and for free text. */
async function received(agencyId: string): Promise<[unknown, unknown, unknown][]> {
  const posts = h.poster.posts.filter((p) => p.url.endsWith(`/${agencyId}`));
  return Promise.all(posts.map(async (p) => {
    const { header, claims } = await h.open(p.body);
    expectSchema('notification.header', header);
    expectSchema('notification.claims', claims);
    expect(claims.aud).toBe(agencyId);
    for (const t of TEXTS) expect(JSON.stringify(claims), t).not.toContain(t);
    return [claims.evt, claims.sub, claims.data] as [unknown, unknown, unknown];
  }));
}

const outboxItems = () => h.x.store.all('audit').filter((r) => r.pk.startsWith('OUTBOX#')).length;

beforeEach(async () => {
  h = await NotifyHarness.create();
  bafa = await h.x.agency('DE-BAFA', ['licensing']);
  sgc = await h.x.agency('SG-CUSTOMS', ['customs']);
  mti = await h.x.agency('SG-MTI', ['euc-issuer']);
  fr = await h.x.agency('FR-SBDU', ['licensing']);
  it_ = await h.x.agency('IT-UAMA', ['licensing']);
  us = await h.x.agency('US-CBP', ['customs']);
  expect((await publish(h.x, bafa)).status).toBe(201);
  await ok(bafa, 'agreement.put', { partner: 'SG-CUSTOMS', documentType: 'license', permissions: ['verify', 'confirm'] });
  await ok(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] });
  await ok(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: ['screen'] });
  await ok(bafa, 'agreement.put', { partner: 'IT-UAMA', documentType: 'denial', permissions: ['read'] });
  for (const a of [bafa, sgc, mti, fr, it_, us]) await ok(a, 'subscription.put', { endpoint: `${HOOK}/${a.agencyId}`, events: ALL });
  expect(await h.pump()).toEqual([]);
});

describe('delivery.confirmed', () => {
  it('reaches the issuer only: who confirmed which declaration, lines and quantities, the flags but never the names; a replay adds nothing', async () => {
    const body = confirmBody({ endUser: { name: 'Someone Else Ltd' } });
    await ok(sgc, 'delivery.confirm', body);
    expect((await h.x.call(sgc, 'delivery.confirm', body)).result.replayed).toBe(true);
    expect(await h.pump()).toEqual(['delivered']);
    expect(await received('DE-BAFA')).toEqual([
      ['delivery.confirmed', LICENSE, { agency: 'SG-CUSTOMS', importDeclarationId: 'SG-IMP-0001', date: '2026-11-20', lines: [{ line: 1, quantity: 5 }], flags: ['end-user-mismatch'] }],
    ]);
    for (const a of ['SG-CUSTOMS', 'SG-MTI', 'FR-SBDU', 'IT-UAMA', 'US-CBP']) expect(await received(a), a).toEqual([]);
    expect((await h.x.call(us, 'notification.list', {})).result).toEqual({ notifications: [], cursor: null });
  });
});

describe('psv.requested and psv.reported', () => {
  it('the request reaches the checking agency, the report the requester: ids, due date, counts, version and digest only', async () => {
    await ok(bafa, 'psv.request', psvRequestBody());
    await h.pump();
    const psvCase = { caseType: 'psv', requester: 'DE-BAFA', caseId: 'PSV-2026-001' };
    expect(await received('SG-MTI')).toEqual([['psv.requested', psvCase, { licenseId: 'DE-2026-000123', dueDate: '2027-01-21', lines: 1 }]]);
    expect(await received('DE-BAFA')).toEqual([]);

    expect((await report(h.x, mti)).status).toBe(201);
    await h.pump();
    const toBafa = await received('DE-BAFA');
    expect(toBafa).toEqual([['psv.reported', psvCase, { status: 'reported', version: 1, digest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }]]);
    expect(await received('SG-MTI')).toHaveLength(1); // still only the request
    for (const a of ['SG-CUSTOMS', 'FR-SBDU', 'IT-UAMA', 'US-CBP']) expect(await received(a), a).toEqual([]);
  });

  it('a refused request (no psv agreement from the checker) commits no notice', async () => {
    const before = outboxItems();
    expect((await h.x.call(bafa, 'psv.request', psvRequestBody({ checker: 'US-CBP' }))).status).toBe(403);
    expect(outboxItems()).toBe(before);
    expect(await h.pump()).toEqual([]);
  });
});

describe('denial.notified and denial.revoked', () => {
  it('reach partners with a denial agreement: screen ids and status only, read the digest too; no license partner, outsider or issuer', async () => {
    expect((await notify(h.x, bafa)).status).toBe(201);
    expect((await notify(h.x, bafa, denialDoc({ version: 2, issuedAt: '2026-11-11T09:00:00Z' }))).status).toBe(201);
    await ok(bafa, 'denial.revoke', { denialId: 'DE-DEN-2026-0042', reason: 'reconsidered after appeal' });
    expect(await h.pump()).toHaveLength(6);
    const active = (version: number) => ({ status: 'active', version, validUntil: '2029-11-09' });
    const revoked = ['denial.revoked', DENIAL, { status: 'revoked', version: 2, changedAt: '2026-11-22T10:00:00.000Z' }];
    expect(await received('FR-SBDU')).toEqual([['denial.notified', DENIAL, active(1)], ['denial.notified', DENIAL, active(2)], revoked]);
    const toRead = await received('IT-UAMA');
    expect(toRead.map(([evt]) => evt)).toEqual(['denial.notified', 'denial.notified', 'denial.revoked']);
    expect(toRead[0]![2]).toEqual({ ...active(1), digest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(toRead[1]![2]).toEqual({ ...active(2), digest: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(toRead[2]).toEqual(revoked);
    for (const a of ['DE-BAFA', 'SG-CUSTOMS', 'SG-MTI', 'US-CBP']) expect(await received(a), a).toEqual([]);
  });

  it('a withdrawn denial agreement stops them', async () => {
    await ok(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: [] });
    expect((await notify(h.x, bafa)).status).toBe(201);
    await h.pump();
    expect(await received('FR-SBDU')).toEqual([]);
    expect(await received('IT-UAMA')).toHaveLength(1);
  });
});

describe('consultation.opened and consultation.answered', () => {
  it('opened reaches the consulted authority, answered the one that opened it; withdrawn also revokes to the denial partners; never summary or text', async () => {
    expect((await notify(h.x, bafa)).status).toBe(201);
    await h.pump();
    h.poster.posts.length = 0;
    const opened = await ok(fr, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: '40 cameras via Dubai, same end use' });
    const { consultationId, deadline } = opened.consultation as { consultationId: string; deadline: string };
    await h.pump();
    const consultation = { caseType: 'consultation', requester: 'FR-SBDU', caseId: consultationId };
    expect(await received('DE-BAFA')).toEqual([['consultation.opened', consultation, { state: 'open', denialId: 'DE-DEN-2026-0042', denialVersion: 1, deadline }]]);
    expect(await received('FR-SBDU')).toEqual([]);

    await ok(bafa, 'consultation.answer', { consultationId, answer: 'information', text: 'the end user is no longer relevant?' });
    await ok(bafa, 'consultation.answer', { consultationId, answer: 'withdrawn', text: 'reconsidered' });
    await h.pump();
    const revoked = ['denial.revoked', DENIAL, { status: 'revoked', version: 1, changedAt: '2026-11-22T10:00:00.000Z' }];
    expect(await received('FR-SBDU')).toEqual([
      ['consultation.answered', consultation, { answer: 'information', state: 'open', deadline, denialRevoked: false }],
      ['consultation.answered', consultation, { answer: 'withdrawn', state: 'withdrawn', deadline, denialRevoked: true }],
      revoked,
    ]);
    expect(await received('IT-UAMA')).toEqual([revoked]); // the read partner: the revocation, not the consultation
    expect(await received('DE-BAFA')).toHaveLength(1);
    for (const a of ['SG-CUSTOMS', 'SG-MTI', 'US-CBP']) expect(await received(a), a).toEqual([]);
  });

  it('a refused open (no denial agreement) commits no notice', async () => {
    expect((await notify(h.x, bafa)).status).toBe(201);
    const before = outboxItems();
    const us2 = await h.x.agency('JP-METI', ['licensing']);
    expect((await h.x.call(us2, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: 'x' })).status).toBe(403);
    expect(outboxItems()).toBe(before);
  });
});

it('no outbox item holds a notice in the clear', async () => {
  await ok(sgc, 'delivery.confirm', confirmBody());
  await ok(bafa, 'psv.request', psvRequestBody());
  expect((await notify(h.x, bafa)).status).toBe(201);
  const items = h.x.store.all('audit').filter((r) => r.pk.startsWith('OUTBOX#'));
  expect(items).toHaveLength(3);
  for (const r of items) {
    expect(r.attrs.notices).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(r.attrs.notices as Uint8Array).includes('SG-IMP-0001')).toBe(false);
  }
});
