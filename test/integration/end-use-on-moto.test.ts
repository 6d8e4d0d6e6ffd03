// Delivery confirmation and post-shipment verification on DynamoDB + KMS (moto): the whole flow through the real
// adapters (conditional writes, consistent partition pages, envelope encryption), concurrent confirmations of one
// license by two agencies, refusals that change nothing, and per-run canaries found nowhere in the raw tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary, encodedForms, findCanaries, rawItems } from '../faults/canary.ts';
import { confirmBody, psvReportDoc, psvRequestBody, report, signPsvReport } from '../helpers/end-use.ts';
import { publish } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange } from '../helpers/moto-exchange.ts';

const SECRET = { consignee: canary('consignee'), endUser: canary('enduser'), site: canary('site'), question: canary('question'), findings: canary('findings'), serial: canary('serial') };
const LIC = 'DE-2026-000123';
const today = (): string => new Date().toISOString().slice(0, 10);

let x: MotoExchange;
let bafa: TestAgency;
let douane: TestAgency;
let sgCustoms: TestAgency;
let myCustoms: TestAgency;
let mti: TestAgency;

beforeAll(async () => {
  x = await MotoExchange.start();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  sgCustoms = await x.agency('SG-CUSTOMS', ['customs'], 'EdDSA');
  myCustoms = await x.agency('MY-CUSTOMS', ['customs']);
  mti = await x.agency('SG-MTI', ['euc-issuer'], 'EdDSA');
  expect((await publish(x, bafa)).status).toBe(201);
  for (const [partner, permissions] of [['NL-DOUANE', ['drawdown']], ['SG-CUSTOMS', ['confirm']], ['MY-CUSTOMS', ['confirm']]] as const) {
    expect((await x.call(bafa, 'agreement.put', { partner, documentType: 'license', permissions })).status).toBe(201);
  }
  expect((await x.call(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] })).status).toBe(201);
  expect((await x.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LIC, declarationId: 'NL-EXP-1', date: today(), items: [{ line: 1, quantity: 20 }] })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await x?.stop();
});

describe('delivery confirmation on moto', () => {
  it('two agencies confirming at once both land; the totals add up; a replay and a conflict change nothing', async () => {
    const body = (as: string, n: number) => confirmBody({ importDeclarationId: `${as}-IMP-${n}`, date: today(), items: [{ line: 1, quantity: 2 }], consignee: { name: `${SECRET.consignee} Pte` } });
    const answers = await Promise.all([1, 2, 3].flatMap((n) => [x.call(sgCustoms, 'delivery.confirm', body('SG', n)), x.call(myCustoms, 'delivery.confirm', body('MY', n))]));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const list = await x.call(bafa, 'delivery.list', { licenseId: LIC });
    expect((list.result.lines as { line: number; shipped: number; delivered: number; outstanding: number; flags: string[] }[])[0]).toEqual({ line: 1, controlCode: '6A003.b.4', licensed: 40, shipped: 20, delivered: 12, outstanding: 8, flags: ['consignee-mismatch'] });
    expect((list.result.confirmations as unknown[]).length).toBe(6);

    const before = await x.snapshot();
    expect((await x.call(sgCustoms, 'delivery.confirm', body('SG', 1))).status).toBe(200);
    const conflict = await x.call(sgCustoms, 'delivery.confirm', { ...body('SG', 1), items: [{ line: 1, quantity: 3 }] });
    expect([conflict.status, conflict.problem.detail]).toEqual([409, 'import declaration SG-IMP-1 was already confirmed with other content']);
    expect(await x.snapshot()).toBe(before);
  });

  it('pages the issuer\'s confirmations with consistent reads and the agency\'s own with its prefix', async () => {
    const first = await x.call(bafa, 'delivery.list', { licenseId: LIC, limit: 4 });
    const second = await x.call(bafa, 'delivery.list', { licenseId: LIC, limit: 4, cursor: first.result.cursor });
    const ids = [...(first.result.confirmations as { importDeclarationId: string }[]), ...(second.result.confirmations as { importDeclarationId: string }[])].map((c) => c.importDeclarationId);
    expect([ids, second.result.cursor, 'lines' in second.result]).toEqual([['MY-IMP-1', 'MY-IMP-2', 'MY-IMP-3', 'SG-IMP-1', 'SG-IMP-2', 'SG-IMP-3'], null, false]);
    const mine = await x.call(myCustoms, 'delivery.list', { issuer: 'DE-BAFA', licenseId: LIC });
    expect((mine.result.confirmations as { agency: string }[]).map((c) => c.agency)).toEqual(['MY-CUSTOMS', 'MY-CUSTOMS', 'MY-CUSTOMS']);
    expect(mine.result.lines).toEqual([{ line: 1, delivered: 6 }]);
  });
});

describe('post-shipment verification on moto', () => {
  it('request, report, correction and query; the report comes back byte for byte as signed', async () => {
    const req = await x.call(bafa, 'psv.request', psvRequestBody({ site: { address: `${SECRET.site} Road 7`, country: 'SG' }, questions: [`${SECRET.question}?`], endUser: { name: `${SECRET.endUser} Lab`, country: 'SG' } }));
    expect(req.status).toBe(201);
    const doc = psvReportDoc({ issuedAt: new Date().toISOString(), visitDate: today(), findings: `${SECRET.findings}.`, itemsSeen: [{ line: 1, quantity: 5, serialNumbers: [SECRET.serial] }] });
    const jws = await signPsvReport(mti, doc);
    const first = await x.call(mti, 'psv.report', { document: jws });
    expect(first.status).toBe(201);
    const got = await x.call(bafa, 'psv.query', { caseId: 'PSV-2026-001' });
    const c = (got.result.cases as { status: string; report: { document: string } }[])[0]!;
    expect([c.status, c.report.document]).toEqual(['reported', jws]);
    const second = await report(x, mti, { ...doc, version: 2, outcome: 'diverted', supersedes: { version: 1, digest: first.result.digest } });
    expect(second.status).toBe(201);
    const list = await x.call(mti, 'psv.query', {});
    expect(list.result.cases).toEqual([expect.objectContaining({ caseId: 'PSV-2026-001', status: 'reported', reportVersion: 2 })]);
  });

  it('no name, question, site, finding or serial number is anywhere in the raw tables, nor in the logs', async () => {
    expect(findCanaries(await rawItems(x), Object.values(SECRET))).toEqual([]);
    const logs = x.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(Object.values(SECRET).filter((s) => encodedForms(s).some((f) => logs.includes(f)))).toEqual([]);
  });
});
