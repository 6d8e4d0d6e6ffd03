// psv.request / psv.report / psv.query (protocol.md §5): the psv agreement, the signed report checked like a license
// and returned exactly as signed, corrections naming the previous version, status requested / overdue / reported,
// both parties' paged lists, and nothing in clear at rest.
import { beforeEach, describe, expect, it } from 'vitest';
import { checkPsvReport } from '../../lambdas/client/document-check.ts';
import { publicAgencyJwks } from '../../lambdas/core/discovery.ts';
import { END_USE_PLAINTEXT, psvReportDoc, psvRequestBody, report, signPsvReport } from '../helpers/end-use.ts';
import { publish } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { expectNoPlaintextAtRest, plaintextAtRest } from '../security/at-rest.ts';
import type { PublishedKey } from '../../lambdas/client/document-check.ts';

let x: TestExchange;
let bafa: TestAgency;
let mti: TestAgency;
let miti: TestAgency;
let fr: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  mti = await x.agency('SG-MTI', ['euc-issuer']);
  miti = await x.agency('MY-MITI', ['euc-issuer', 'licensing']);
  fr = await x.agency('FR-SBDU', ['licensing']);
  expect((await publish(x, bafa)).status).toBe(201);
  expect((await x.call(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] })).status).toBe(201);
});

const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const request = (over: Record<string, unknown> = {}) => x.call(bafa, 'psv.request', psvRequestBody(over));
type Case = { caseId: string; status: string; report?: { version: number; digest: string; document: string }; request?: Record<string, unknown> };
const oneCase = async (as: TestAgency, body: Record<string, unknown> = { caseId: 'PSV-2026-001', requester: 'DE-BAFA' }) => {
  const a = await x.call(as, 'psv.query', body);
  expect(a.status, JSON.stringify(a.problem)).toBe(200);
  return (a.result.cases as Case[])[0]!;
};

describe('psv agreements', () => {
  it('grant only request, by a licensing or euc-issuer agency; other permissions are 400 at the permission', async () => {
    const a = await refusedWith(() => x.call(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request', 'read'] }), 400);
    expect(a.problem.errors).toEqual([{ pointer: '/body/permissions/1', detail: 'not one of request' }]);
    const b = await refusedWith(() => x.call(bafa, 'agreement.put', { partner: 'SG-MTI', documentType: 'license', permissions: ['request'] }), 400);
    expect(b.problem.errors).toEqual([{ pointer: '/body/permissions/0', detail: 'not one of verify, read, drawdown, confirm' }]);
    const c = await x.call(bafa, 'agreement.put', { partner: 'SG-MTI', documentType: 'license', permissions: ['confirm', 'verify'] });
    expect([c.status, c.result.permissions]).toEqual([201, ['verify', 'confirm']]);
  });

  it('agreement.list shows a psv agreement to its owner (given) and to the requester (received)', async () => {
    const strip = (a: Answer) => (a.result.agreements as Record<string, unknown>[]).map(({ grantedAt: _g, ...rest }) => rest);
    expect(strip(await x.call(mti, 'agreement.list', {}))).toEqual([{ owner: 'SG-MTI', partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] }]);
    expect(strip(await x.call(bafa, 'agreement.list', {}))).toEqual([{ owner: 'SG-MTI', partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] }]);
  });
});

async function refusedWith(send: () => Promise<Answer>, status: number): Promise<Answer> {
  let a!: Answer;
  await refused(async () => (a = await send()), status, 'body-invalid');
  return a;
}

describe('psv.request', () => {
  it('opens a case due in 60 days (201), lists it on both sides, and is idempotent per case id', async () => {
    const a = await request();
    expect(a.status).toBe(201);
    expect(a.result).toEqual({ caseId: 'PSV-2026-001', requester: 'DE-BAFA', checker: 'SG-MTI', licenseId: 'DE-2026-000123', dueDate: '2027-01-21', requestedAt: '2026-11-22T10:00:00.000Z', replayed: false });
    expect(x.auditEvents().at(-1)).toMatchObject({ action: 'psv.request', actor: 'DE-BAFA', owner: 'DE-BAFA', resource: 'psv:DE-BAFA/PSV-2026-001', details: { checker: 'SG-MTI' } });
    x.time += 86_400_000;
    const again = await request();
    expect([again.status, again.result]).toEqual([200, { ...a.result, replayed: true }]);
    await refused(() => request({ questions: ['another question'] }), 409, 'conflict');
    for (const as of [bafa, mti]) {
      const list = await x.call(as, 'psv.query', {});
      expect(list.result).toEqual({ cases: [{ caseId: 'PSV-2026-001', requester: 'DE-BAFA', checker: 'SG-MTI', licenseId: 'DE-2026-000123', status: 'requested', dueDate: '2027-01-21', requestedAt: '2026-11-22T10:00:00.000Z' }], cursor: null });
    }
    // the checking agency sees the request itself
    expect((await oneCase(mti)).request).toEqual({ licenseId: 'DE-2026-000123', eucRef: { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' }, endUser: psvRequestBody().endUser, site: psvRequestBody().site, items: [{ line: 1, quantity: 5 }], questions: psvRequestBody().questions });
  });

  it('needs the checking agency\'s psv grant (403 before 404), the caller\'s own license (404) and its lines (409)', async () => {
    const noGrant = await refused(() => request({ checker: 'MY-MITI' }), 403, 'no-agreement');
    expect(noGrant).toBe('MY-MITI has not granted DE-BAFA request on its post-shipment verifications');
    expect(await refused(() => request({ checker: 'MY-MITI', licenseId: 'DE-NOPE' }), 403, 'no-agreement')).toBe(noGrant);
    await refused(() => request({ licenseId: 'DE-NOPE' }), 404, 'not-found');
    expect(await refused(() => request({ items: [{ line: 9 }] }), 409, 'conflict')).toBe('line 9 is not on license DE-2026-000123 version 1; nothing was requested');
    await refused(() => request({ items: [{ line: 1 }, { line: 1 }] }), 400, 'body-invalid');
    await refused(() => request({ dueDate: '2026-11-22' }), 400, 'body-invalid');
    await refused(() => x.call(mti, 'psv.request', psvRequestBody({ checker: 'DE-BAFA' })), 403, 'role-forbidden');
    // FR-SBDU has no grant from SG-MTI, whatever license it names
    await refused(() => x.call(fr, 'psv.request', psvRequestBody()), 403, 'no-agreement');
  });
});

describe('psv.report', () => {
  beforeEach(async () => {
    expect((await request({ dueDate: '2026-12-01' })).status).toBe(201);
  });

  it('stores the signed report (201) and returns it exactly as signed, verifiable offline against the reporter\'s keys', async () => {
    const jws = await signPsvReport(mti);
    const a = await x.call(mti, 'psv.report', { document: jws });
    expect(a.status).toBe(201);
    expect(a.result).toMatchObject({ caseId: 'PSV-2026-001', requester: 'DE-BAFA', version: 1, status: 'reported', replayed: false });
    expect(x.auditEvents().at(-1)).toMatchObject({ action: 'psv.report', actor: 'SG-MTI', owner: 'DE-BAFA', resource: 'psv:DE-BAFA/PSV-2026-001', details: { version: 1 } });
    expect(JSON.stringify(x.auditEvents().at(-1))).not.toMatch(/not-verified|missing/);
    const c = await oneCase(bafa);
    expect([c.status, c.report!.version, c.report!.digest, c.report!.document]).toEqual(['reported', 1, a.result.digest, jws]);
    const jwks = (await publicAgencyJwks(x.services, 'SG-MTI')) as { keys: PublishedKey[] };
    const check = await checkPsvReport(c.report!.document, 'SG-MTI', jwks);
    expect([check.ok, check.payload?.outcome]).toEqual([true, 'not-verified']);
    expect((await checkPsvReport(c.report!.document, 'MY-MITI', jwks)).ok).toBe(false);
    // the same report again is a replay
    const again = await x.call(mti, 'psv.report', { document: jws });
    expect([again.status, again.result.replayed]).toEqual([200, true]);
  });

  it('a correction is the next version naming the previous by version and digest; older versions stay readable', async () => {
    const first = await report(x, mti);
    await refused(() => report(x, mti, psvReportDoc({ version: 2, outcome: 'verified' })), 409, 'conflict');
    await refused(() => report(x, mti, psvReportDoc({ version: 2, outcome: 'verified', supersedes: { version: 1, digest: 'A'.repeat(43) } })), 409, 'conflict');
    await refused(() => report(x, mti, psvReportDoc({ version: 3, outcome: 'verified', supersedes: { version: 2, digest: first.result.digest } })), 409, 'conflict');
    const second = await report(x, mti, psvReportDoc({ version: 2, outcome: 'verified', supersedes: { version: 1, digest: first.result.digest } }));
    expect([second.status, second.result.version]).toEqual([201, 2]);
    expect((await oneCase(bafa)).report!.version).toBe(2);
    const v1 = await oneCase(bafa, { caseId: 'PSV-2026-001', version: 1 });
    expect(v1.report!.digest).toBe(first.result.digest);
    await refused(() => x.call(bafa, 'psv.query', { caseId: 'PSV-2026-001', version: 3 }), 404, 'not-found');
  });

  it('refuses a report not signed as one (400), by another agency (403), on a case not addressed to the caller (404)', async () => {
    const signed = await signPsvReport(mti);
    const asLicense = await refused(() => x.call(mti, 'psv.report', { document: signed.replace(/^[^.]+/, Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'sg-mti-1', typ: 'corridor-license+jws' })).toString('base64url')) }), 400, 'document-invalid');
    expect(asLicense).toBe('document: typ must be corridor-psv-report+jws');
    await refused(() => report(x, mti, psvReportDoc({ outcome: 'fine' })), 400, 'document-invalid');
    await refused(() => report(x, mti, psvReportDoc({ visitDate: '2026-11-23' })), 400, 'document-invalid');
    await refused(() => report(x, mti, psvReportDoc({ licenseId: 'DE-2026-OTHER' })), 400, 'document-invalid');
    await refused(() => report(x, mti, psvReportDoc({ issuer: 'MY-MITI' })), 403, 'forbidden');
    const notMine = await refused(() => report(x, miti, psvReportDoc({ issuer: 'MY-MITI' })), 404, 'not-found');
    const none = await refused(() => report(x, miti, psvReportDoc({ issuer: 'MY-MITI', caseId: 'PSV-NOPE' })), 404, 'not-found');
    expect(notMine.replace('PSV-2026-001', 'PSV-NOPE')).toBe(none);
    await refused(() => report(x, mti, psvReportDoc({ version: 2 })), 409, 'conflict');
    await refused(() => report(x, mti, psvReportDoc({ supersedes: { version: 1, digest: 'A'.repeat(43) } })), 409, 'conflict');
  });
});

describe('psv.query', () => {
  it('status requested → overdue after the due date → reported; only the two parties see a case', async () => {
    expect((await request({ dueDate: '2026-11-30' })).status).toBe(201);
    expect((await oneCase(mti)).status).toBe('requested');
    x.time = Date.parse('2026-11-30T23:00:00Z');
    expect((await oneCase(bafa)).status).toBe('requested');
    x.time = Date.parse('2026-12-01T00:00:00Z');
    expect((await oneCase(bafa)).status).toBe('overdue');
    expect(((await x.call(mti, 'psv.query', {})).result.cases as Case[])[0]!.status).toBe('overdue');
    expect((await report(x, mti, psvReportDoc({ issuedAt: '2026-11-30T09:00:00Z', visitDate: '2026-11-29' }))).status).toBe(201);
    expect((await oneCase(bafa)).status).toBe('reported');
    await refused(() => x.call(miti, 'psv.query', { caseId: 'PSV-2026-001', requester: 'DE-BAFA' }), 404, 'not-found');
    await refused(() => x.call(bafa, 'psv.query', { caseId: 'PSV-2026-001', limit: 5 }), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'psv.query', { version: 1 }), 400, 'body-invalid');
    expect((await x.call(miti, 'psv.query', {})).result).toEqual({ cases: [], cursor: null });
  });

  it('pages one\'s cases with a cursor bound to the caller', async () => {
    for (let i = 1; i <= 5; i++) expect((await request({ caseId: `PSV-${i}` })).status).toBe(201);
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const a = await x.call(mti, 'psv.query', { limit: 2, ...(cursor ? { cursor } : {}) });
      ids.push(...(a.result.cases as Case[]).map((c) => c.caseId));
      cursor = a.result.cursor as string | null;
      pages++;
    } while (cursor);
    expect([pages, ids]).toEqual([3, ['PSV-1', 'PSV-2', 'PSV-3', 'PSV-4', 'PSV-5']]);
    const first = await x.call(mti, 'psv.query', { limit: 2 });
    await refused(() => x.call(bafa, 'psv.query', { cursor: first.result.cursor }), 400, 'body-invalid');
  });

  it('questions, end user, site and findings are encrypted at rest', async () => {
    await request({ endUser: { name: 'Harbourfront Imaging Pte', country: 'SG' } });
    await report(x, mti);
    expect(plaintextAtRest(x, END_USE_PLAINTEXT)).toEqual([]);
    expectNoPlaintextAtRest(x);
  });
});
