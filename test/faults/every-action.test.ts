// Every action under the two faults that matter most: the audit table refusing writes (no action
// may answer without its event, reads included) and KMS down at a cold start (the actions that
// need a data key fail closed; the ones that do not keep working).
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { sealAll } from '../../lambdas/core/sealer.ts';
import { denialDoc, notify } from '../helpers/denials.ts';
import { makeKey } from '../helpers/keys.ts';
import { confirmBody, psvReportDoc, psvRequestBody, signPsvReport } from '../helpers/end-use.ts';
import { eucDoc, licenseDoc, shipment } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { diff, EUC_ID, expectFaultRefusal, FaultyProcess, LICENSE_ID, startWorld, tableState, type World } from './fault-kit.ts';
import { inject, writesTo } from './inject.ts';

let w: World;
let olaf: TestAgency;
let sealedEvent: string;
let p: FaultyProcess;
let sbdu: TestAgency;
const SEED_DENIAL = 'DE-DEN-SEED';

beforeAll(async () => {
  w = await startWorld();
  olaf = await w.x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  // one stored drawdown, so license.drawdowns has a record to decrypt
  expect((await w.x.call(w.douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId: 'NL-SEED-1', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] })).status).toBe(201);
  // confirm and a psv grant, and one stored confirmation, so delivery.list has a record to decrypt
  expect((await w.x.call(w.bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['read', 'drawdown', 'confirm'] })).status).toBe(200);
  expect((await w.x.call(w.mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] })).status).toBe(201);
  expect((await w.x.call(w.douane, 'delivery.confirm', confirmBody({ licenseId: LICENSE_ID, importDeclarationId: 'NL-IMP-SEED' }))).status).toBe(201);
  // a denial NL-DOUANE may screen and FR-SBDU may consult on, and one consultation, so the denials actions have records to decrypt
  sbdu = await w.x.agency('FR-SBDU', ['licensing']);
  expect((await notify(w.x, w.bafa, denialDoc({ denialId: SEED_DENIAL }))).status).toBe(201);
  for (const partner of ['NL-DOUANE', 'FR-SBDU']) expect((await w.x.call(w.bafa, 'agreement.put', { partner, documentType: 'denial', permissions: ['screen'] })).status).toBe(201);
  expect((await w.x.call(sbdu, 'consultation.open', { issuer: 'DE-BAFA', denialId: SEED_DENIAL, summary: 'seed' })).status).toBe(201);
  await sealAll(w.x.services, w.x.services.sealSigner);
  sealedEvent = (await w.x.auditEvents())[0]!.id;
  // the cursor secret exists, as after the exchange's first cursor (like the response key ring after its first start)
  await w.x.services.cursorKeys.forSealing();
});

afterAll(async () => {
  await w?.x.stop();
});

beforeEach(async () => {
  p = await FaultyProcess.start(w.x);
});

afterEach(() => {
  p.stop();
});

const unique = (): string => randomBytes(4).toString('hex').toUpperCase();

interface Case { act: ActionName; as: () => TestAgency; body: () => Promise<Record<string, unknown>>; usesKms: boolean }

/** One valid request per action; each call builds fresh ids, so any of them may succeed. */
const CASES: Case[] = [
  { act: 'agency.register', as: () => w.x.operator, usesKms: false, body: async () => {
    const key = await makeKey(`k-${unique().toLowerCase()}`);
    return { agencyId: `FR-${unique()}`, name: 'Douane', roles: ['customs'], keys: [{ kid: key.kid, jwk: key.publicJwk }] };
  } },
  { act: 'agency.keys', as: () => w.bafa, usesKms: false, body: async () => {
    const key = await makeKey(`de-bafa-${unique().toLowerCase()}`);
    return { add: [{ kid: key.kid, jwk: key.publicJwk }] };
  } },
  { act: 'agreement.put', as: () => w.bafa, usesKms: false, body: async () => ({ partner: 'SG-MTI', documentType: 'license', permissions: ['verify'] }) },
  // limit 1 of NL-DOUANE's two received agreements: the answer carries a cursor, sealed with the cursor secret (unwrapped by KMS once per process)
  { act: 'agreement.list', as: () => w.douane, usesKms: true, body: async () => ({ limit: 1 }) },
  // an IP-literal endpoint: the deployed rules without a DNS lookup; nothing is encrypted, no notification exists yet to decrypt
  { act: 'subscription.put', as: () => w.douane, usesKms: false, body: async () => ({ endpoint: 'https://93.184.216.34/corridor', events: ['license.status'] }) },
  { act: 'subscription.get', as: () => w.douane, usesKms: false, body: async () => ({}) },
  { act: 'notification.list', as: () => w.douane, usesKms: false, body: async () => ({}) },
  { act: 'license.publish', as: () => w.bafa, usesKms: true, body: async () => ({ document: await signDocument(w.bafa.privateJwk, 'corridor-license+jws', licenseDoc({ licenseId: `DE-2026-${unique()}` })) }) },
  { act: 'license.status', as: () => w.bafa, usesKms: true, body: async () => ({ licenseId: LICENSE_ID, status: 'active', reason: 're-stated' }) },
  { act: 'license.verify', as: () => w.douane, usesKms: true, body: async () => ({ issuer: 'DE-BAFA', licenseId: LICENSE_ID, shipment: shipment() }) },
  { act: 'license.drawdown', as: () => w.douane, usesKms: true, body: async () => ({ issuer: 'DE-BAFA', licenseId: LICENSE_ID, declarationId: `NL-${unique()}`, date: '2026-11-22', items: [{ line: 1, quantity: 1 }] }) },
  { act: 'license.drawdowns', as: () => w.bafa, usesKms: true, body: async () => ({ licenseId: LICENSE_ID }) },
  { act: 'delivery.confirm', as: () => w.douane, usesKms: true, body: async () => confirmBody({ licenseId: LICENSE_ID, importDeclarationId: `NL-IMP-${unique()}` }) },
  { act: 'delivery.list', as: () => w.bafa, usesKms: true, body: async () => ({ licenseId: LICENSE_ID }) },
  { act: 'psv.request', as: () => w.bafa, usesKms: true, body: async () => psvRequestBody({ caseId: `PSV-${unique()}`, licenseId: LICENSE_ID }) },
  // each call reports on a case of its own, opened through the healthy observer
  { act: 'psv.report', as: () => w.mti, usesKms: true, body: async () => {
    const caseId = `PSV-${unique()}`;
    expect((await w.x.call(w.bafa, 'psv.request', psvRequestBody({ caseId, licenseId: LICENSE_ID }))).status).toBe(201);
    return { document: await signPsvReport(w.mti, psvReportDoc({ caseId, licenseId: LICENSE_ID, issuedAt: new Date().toISOString(), visitDate: new Date().toISOString().slice(0, 10) })) };
  } },
  // the list reads clear listing items only (no cursor below 100 cases): it needs no data key
  { act: 'psv.query', as: () => w.bafa, usesKms: false, body: async () => ({}) },
  { act: 'euc.publish', as: () => w.mti, usesKms: true, body: async () => ({ document: await signDocument(w.mti.privateJwk, 'corridor-euc+jws', eucDoc({ eucId: `SG-EUC-${unique()}` })) }) },
  { act: 'euc.status', as: () => w.mti, usesKms: true, body: async () => ({ eucId: EUC_ID, status: 'active', reason: 're-stated' }) },
  { act: 'euc.query', as: () => w.douane, usesKms: true, body: async () => ({ issuer: 'SG-MTI', eucId: EUC_ID }) },
  // limit 1: there is a next page, so the answer carries a cursor (sealed with the cursor secret, unwrapped by KMS once per process)
  { act: 'audit.query', as: () => olaf, usesKms: true, body: async () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), limit: 1 }) },
  { act: 'audit.proof', as: () => olaf, usesKms: false, body: async () => ({ eventId: sealedEvent }) },
  { act: 'audit.seals', as: () => olaf, usesKms: false, body: async () => ({ fromSeq: 0, leaves: true }) },
  { act: 'denial.notify', as: () => w.bafa, usesKms: true, body: async () => ({ document: await signDocument(w.bafa.privateJwk, 'corridor-denial+jws', denialDoc({ denialId: `DE-DEN-${unique()}` })) }) },
  // each call revokes a denial of its own, notified through the healthy observer
  { act: 'denial.revoke', as: () => w.bafa, usesKms: true, body: async () => {
    const denialId = `DE-DEN-${unique()}`;
    expect((await notify(w.x, w.bafa, denialDoc({ denialId }))).status).toBe(201);
    return { denialId, reason: 'lifted' };
  } },
  // a cold process reads the screening feed first: its entries are encrypted
  { act: 'screening.check', as: () => w.douane, usesKms: true, body: async () => ({ parties: [{ name: 'Pars Optronic Industries', country: 'IR' }] }) },
  { act: 'consultation.open', as: () => sbdu, usesKms: true, body: async () => ({ issuer: 'DE-BAFA', denialId: SEED_DENIAL, summary: 'the same cameras' }) },
  { act: 'consultation.answer', as: () => w.bafa, usesKms: true, body: async () => {
    const opened = await w.x.call(sbdu, 'consultation.open', { issuer: 'DE-BAFA', denialId: SEED_DENIAL, summary: 'again' });
    return { consultationId: (opened.result.consultation as { consultationId: string }).consultationId, answer: 'information', text: 'checking' };
  } },
  { act: 'consultation.list', as: () => sbdu, usesKms: true, body: async () => ({}) },
];

it('the table covers every action of the route table', async () => {
  const { ACTION_ROUTES } = await import('../../lambdas/core/routes.ts');
  expect(CASES.map((c) => c.act).sort()).toEqual(ACTION_ROUTES.map((r) => r.act).sort());
});

describe('the audit table refuses writes', () => {
  it.each(CASES.map((c) => [c.act, c] as const))('%s → signed 503 audit-write-failed, no event, nothing changed', async (_act, c) => {
    const body = await c.body();
    const injected = inject(p.clients.dynamodb, { commands: ['PutItemCommand', 'TransactWriteItemsCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' }, when: writesTo(w.x.tables.audit) });
    try {
      await expectFaultRefusal(w, () => p.call(c.as(), c.act, body), { status: 503, slug: 'audit-write-failed', audited: false });
      expect(injected.hits).toBeGreaterThan(0);
    } finally {
      injected.remove();
    }
  });
});

describe('KMS unreachable at a cold start (response key already loaded)', () => {
  it.each(CASES.map((c) => [c.act, c] as const))('%s → 503 if it needs a data key, else its normal answer', async (_act, c) => {
    const body = await c.body();
    const injected = inject(p.clients.kms, { commands: ['GenerateDataKeyCommand', 'DecryptCommand'], fault: { kind: 'network', code: 'ECONNREFUSED' } });
    try {
      if (c.usesKms) {
        await expectFaultRefusal(w, () => p.call(c.as(), c.act, body), { status: 503, slug: 'dependency-failed', audited: true });
        expect(injected.hits).toBeGreaterThan(0);
      } else {
        const before = await tableState(w.x);
        const a = await p.call(c.as(), c.act, body);
        expect([200, 201], JSON.stringify(a.problem)).toContain(a.status);
        expect(injected.hits).toBe(0);
        expect(diff(before, await tableState(w.x)).added).toContain(`audit/${String(a.claims.auditId)}/`);
      }
    } finally {
      injected.remove();
    }
  });
});
