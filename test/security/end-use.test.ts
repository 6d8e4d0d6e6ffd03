// Attacks on delivery confirmation and post-shipment verification (protocol.md §5 delivery.*, psv.*; "Roles and
// agreements"): wrong roles, missing or foreign grants, another agency's licenses, cases and confirmations, forged
// and re-posted reports, stolen cursors, oversized and unknown members. Every refusal is signed, audited once and
// changes nothing; at the end no name, site, question or finding is anywhere at rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import { confirmBody, END_USE_PLAINTEXT, psvReportDoc, psvRequestBody, report, signPsvReport } from '../helpers/end-use.ts';
import { licenseDoc, publish } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { expectNoPlaintextAtRest, plaintextAtRest } from './at-rest.ts';

let x: TestExchange;
let bafa: TestAgency;
let fr: TestAgency;
let sgCustoms: TestAgency;
let douane: TestAgency;
let mti: TestAgency;
let miti: TestAgency;
let auditor: TestAgency;

const LIC = 'DE-2026-000123';
const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
async function refusedAt(send: () => Promise<Answer>, status: number, slug: string): Promise<string[]> {
  let a!: Answer;
  await refused(async () => (a = await send()), status, slug);
  return (a.problem.errors ?? []).map((e) => e.pointer);
}

beforeAll(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  fr = await x.agency('FR-SBDU', ['licensing']);
  sgCustoms = await x.agency('SG-CUSTOMS', ['customs']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  mti = await x.agency('SG-MTI', ['euc-issuer']);
  miti = await x.agency('MY-MITI', ['euc-issuer']);
  auditor = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  expect((await publish(x, bafa)).status).toBe(201);
  expect((await publish(x, fr, licenseDoc({ issuer: 'FR-SBDU', licenseId: 'FR-2026-1' }))).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'SG-CUSTOMS', documentType: 'license', permissions: ['confirm'] })).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read', 'drawdown'] })).status).toBe(201);
  expect((await x.call(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] })).status).toBe(201);
  expect((await x.call(mti, 'agreement.put', { partner: 'FR-SBDU', documentType: 'psv', permissions: ['request'] })).status).toBe(201);
  expect((await x.call(sgCustoms, 'delivery.confirm', confirmBody({ consignee: { name: 'Harbourfront Imaging Pte' } }))).status).toBe(201);
  expect((await x.call(bafa, 'psv.request', psvRequestBody({ site: { name: 'Jurong Optics Annex', address: '7 Jurong West Street', country: 'SG' } }))).status).toBe(201);
});

afterAll(() => {
  expect(plaintextAtRest(x, END_USE_PLAINTEXT)).toEqual([]);
  expectNoPlaintextAtRest(x);
});

describe('delivery.confirm and delivery.list by the wrong party', () => {
  it('roles: a licensing agency, an euc-issuer, an auditor and the operator may not confirm (403 role-forbidden)', async () => {
    for (const as of [bafa, mti, auditor, x.operator]) await refused(() => x.call(as, 'delivery.confirm', confirmBody({ importDeclarationId: 'R-1' })), 403, 'role-forbidden');
    for (const as of [mti, auditor]) await refused(() => x.call(as, 'delivery.list', { licenseId: LIC }), 403, 'role-forbidden');
  });

  it('verify, read and drawdown do not imply confirm; a grant by one issuer opens nothing of another', async () => {
    await refused(() => x.call(douane, 'delivery.confirm', confirmBody({ importDeclarationId: 'R-2' })), 403, 'no-agreement');
    await refused(() => x.call(douane, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC }), 403, 'no-agreement');
    await refused(() => x.call(sgCustoms, 'delivery.confirm', confirmBody({ issuer: 'FR-SBDU', licenseId: 'FR-2026-1' })), 403, 'no-agreement');
    await refused(() => x.call(sgCustoms, 'delivery.list', { issuer: 'FR-SBDU', licenseId: 'FR-2026-1' }), 403, 'no-agreement');
  });

  it("another licensing agency's license is not found under its own id; naming its issuer needs confirm", async () => {
    await refused(() => x.call(fr, 'delivery.list', { licenseId: LIC }), 404, 'not-found');
    await refused(() => x.call(fr, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC }), 403, 'no-agreement');
  });

  it("a confirming agency never sees another agency's confirmations or the issuer's flags", async () => {
    expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read', 'drawdown', 'confirm'] })).status).toBe(200);
    const mine = await x.call(douane, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC });
    expect([mine.status, mine.result.confirmations, mine.result.lines, mine.result.aging]).toEqual([200, [], [], undefined]);
    const sg = await x.call(sgCustoms, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC });
    expect((sg.result.confirmations as Record<string, unknown>[]).map((c) => Object.keys(c).sort())).toEqual([['agency', 'consignee', 'date', 'endUser', 'importDeclarationId', 'lines', 'recordedAt']]);
  });

  it("the issuer's cursor is refused to a confirming agency, and one made for another license to the issuer (400 at /body/cursor)", async () => {
    for (let i = 2; i <= 3; i++) expect((await x.call(sgCustoms, 'delivery.confirm', confirmBody({ importDeclarationId: `SG-IMP-X${i}` }))).status).toBe(201);
    const page = await x.call(bafa, 'delivery.list', { licenseId: LIC, limit: 1 });
    expect(await refusedAt(() => x.call(sgCustoms, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC, cursor: page.result.cursor }), 400, 'body-invalid')).toEqual(['/body/cursor']);
    expect((await publish(x, bafa, licenseDoc({ licenseId: 'DE-2026-000124' }))).status).toBe(201);
    expect(await refusedAt(() => x.call(bafa, 'delivery.list', { licenseId: 'DE-2026-000124', cursor: page.result.cursor }), 400, 'body-invalid')).toEqual(['/body/cursor']);
  });
});

describe('psv.request, psv.report and psv.query by the wrong party', () => {
  it('a grant by one checking agency allows no request to another; a customs agency requests nothing', async () => {
    await refused(() => x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'PSV-X1', checker: 'MY-MITI' })), 403, 'no-agreement');
    await refused(() => x.call(sgCustoms, 'psv.request', psvRequestBody({ caseId: 'PSV-X2' })), 403, 'role-forbidden');
  });

  it("a requester with a grant cannot open a case on another agency's license (404 under its own id)", async () => {
    await refused(() => x.call(fr, 'psv.request', psvRequestBody({ caseId: 'PSV-X3' })), 404, 'not-found');
  });

  it('only the case\'s checker reports: the requester, another checker and a forged issuer are refused', async () => {
    await refused(() => report(x, bafa, psvReportDoc({ issuer: 'DE-BAFA' })), 404, 'not-found');
    await refused(() => report(x, miti, psvReportDoc({ issuer: 'MY-MITI' })), 404, 'not-found');
    await refused(() => report(x, miti, psvReportDoc()), 403, 'forbidden'); // signed by MY-MITI, claims SG-MTI
  });

  it("a report SG-MTI signed, re-posted by another agency, is not that agency's document (400 at /body/document)", async () => {
    const jws = await signPsvReport(mti);
    expect(await refusedAt(() => x.call(miti, 'psv.report', { document: jws }), 400, 'document-invalid')).toEqual(['/body/document']);
    const asLicense = await signDocument(mti.privateJwk, 'corridor-license+jws', psvReportDoc());
    expect(await refusedAt(() => x.call(mti, 'psv.report', { document: asLicense }), 400, 'document-invalid')).toEqual(['/body/document']);
    const psvAsLicense = await signDocument(bafa.privateJwk, 'corridor-psv-report+jws', licenseDoc({ version: 9 }));
    await refused(() => x.call(bafa, 'license.publish', { document: psvAsLicense }), 400, 'document-invalid');
  });

  it('a third agency sees no case: the same 404 as for a case that does not exist', async () => {
    const other = (await refused(() => x.call(miti, 'psv.query', { caseId: 'PSV-2026-001', requester: 'DE-BAFA' }), 404, 'not-found')).replace('PSV-2026-001', 'X');
    const none = (await refused(() => x.call(miti, 'psv.query', { caseId: 'X', requester: 'DE-BAFA' }), 404, 'not-found'));
    expect(other).toBe(none);
    expect((await x.call(fr, 'psv.query', {})).result).toEqual({ cases: [], cursor: null });
    await refused(() => x.call(douane, 'psv.query', {}), 403, 'role-forbidden');
  });

  it("another caller's psv.query cursor → 400 at /body/cursor", async () => {
    expect((await x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'PSV-2026-002' }))).status).toBe(201);
    const page = await x.call(bafa, 'psv.query', { limit: 1 });
    expect(await refusedAt(() => x.call(mti, 'psv.query', { cursor: page.result.cursor }), 400, 'body-invalid')).toEqual(['/body/cursor']);
  });
});

describe('input abuse', () => {
  const long = (n: number) => 'x'.repeat(n);

  it('oversized and unknown members are refused at their pointer, never truncated or stripped', async () => {
    expect(await refusedAt(() => x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'A-1', questions: Array.from({ length: 21 }, () => 'q') })), 400, 'body-invalid')).toContain('/body/questions');
    expect(await refusedAt(() => x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'A-2', questions: [long(2001)] })), 400, 'body-invalid')).toContain('/body/questions/0');
    expect(await refusedAt(() => x.call(bafa, 'psv.request', psvRequestBody({ caseId: 'A-3', site: { address: 'a', country: 'SG', gps: '1,2' } })), 400, 'body-invalid')).toContain('/body/site/gps');
    expect(await refusedAt(() => x.call(sgCustoms, 'delivery.confirm', confirmBody({ importDeclarationId: 'A-4', endUser: { name: long(301) } })), 400, 'body-invalid')).toContain('/body/endUser/name');
    expect(await refusedAt(() => x.call(sgCustoms, 'delivery.confirm', JSON.parse('{"__proto__":{"admin":true},"issuer":"DE-BAFA"}')), 400, 'body-invalid')).toContain('/body/__proto__');
    expect(await refusedAt(() => report(x, mti, psvReportDoc({ findings: long(20001) })), 400, 'document-invalid')).toContain('/body/document/payload/findings');
    expect(await refusedAt(() => report(x, mti, psvReportDoc({ itemsSeen: [{ line: 1, quantity: 1, serialNumbers: Array.from({ length: 1001 }, (_, i) => `S${i}`) }] })), 400, 'document-invalid')).toContain('/body/document/payload/itemsSeen/0/serialNumbers');
    expect(await refusedAt(() => report(x, mti, { ...psvReportDoc(), verdictOverride: 'verified' }), 400, 'document-invalid')).toContain('/body/document/payload/verdictOverride');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('ids that are not ids never reach a key: path characters in a case or declaration id → 400', async () => {
    await refused(() => x.call(bafa, 'psv.request', psvRequestBody({ caseId: '../PSV#1' })), 400, 'body-invalid');
    await refused(() => x.call(sgCustoms, 'delivery.confirm', confirmBody({ importDeclarationId: 'A#B' })), 400, 'body-invalid');
    await refused(() => x.call(bafa, 'psv.query', { caseId: 'PSV-2026-001', requester: 'DE-BAFA#X' }), 400, 'body-invalid');
  });
});
