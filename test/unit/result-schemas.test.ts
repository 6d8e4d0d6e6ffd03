// schemas/<act>.result.schema.json must describe exactly what each action returns: one scenario drives every
// action through the real core (memory adapters) and every answer's header, claims and result are validated
// against the schemas, so a result field added in code without its schema (or the reverse) fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../lambdas/client/signing.ts';
import { ACTION_SUCCESS } from '../../lambdas/core/openapi.ts';
import { ACTION_ROUTES, type ActionName } from '../../lambdas/core/routes.ts';
import { configuration, exchangeJwks, publicAgencyJwks } from '../../lambdas/core/discovery.ts';
import { MAX_LEAVES } from '../../lambdas/core/sealer.ts';
import { MemoryNotificationQueue } from '../../lambdas/adapters/memory/memory-notification-queue.ts';
import { sha256b64url } from '../../lambdas/core/merkle.ts';
import { deliver } from '../../lambdas/core/notifications/delivery.ts';
import { LOCAL_ENDPOINTS } from '../../lambdas/core/notifications/endpoint-rules.ts';
import { fanOut } from '../../lambdas/core/notifications/fan-out.ts';
import { isOutbox } from '../../lambdas/core/notifications/outbox.ts';
import { DEFAULT_SCHEDULE } from '../../lambdas/core/notifications/retry-schedule.ts';
import { sealNow } from '../helpers/audit.ts';
import { confirmBody, psvReportDoc, psvRequestBody, signPsvReport } from '../helpers/end-use.ts';
import { denialDoc, notify } from '../helpers/denials.ts';
import { makeKey } from '../helpers/keys.ts';
import { eucDoc, licenseDoc, publish, publishEuc, shipment } from '../helpers/licenses.ts';
import { EXCHANGE_ID, TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;
const DIR = join(import.meta.dirname, '../../schemas');
type Schema = Record<string, unknown>;
const SCHEMAS: Schema[] = readdirSync(DIR).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Schema);
// Same options as the exchange's own validation (lambdas/core/validation.ts): strict, closed, nothing coerced.
const ajv = new Ajv2020({ allErrors: true, strict: true, multipleOfPrecision: 6 });
addFormats(ajv);
for (const s of SCHEMAS) ajv.addSchema(s);
const validator = (name: string): ValidateFunction => ajv.getSchema(`urn:corridor:schema:${name}`)!;

function expectValid(name: string, value: unknown, what: string): void {
  const v = validator(name);
  expect(v, `schema ${name}`).toBeTypeOf('function');
  expect(v(value) ? [] : v.errors, `${what} against ${name}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([]);
}

const answers = new Map<ActionName, Answer[]>(ACTION_ROUTES.map((r) => [r.act, []]));
const refusals: Answer[] = [];
let x: TestExchange;

/** Call and keep the answer; successes are filed under their action, refusals apart. */
async function run(as: TestAgency, act: ActionName, body: unknown): Promise<Answer> {
  const a = await x.call(as, act, body);
  (a.status < 300 ? answers.get(act)! : refusals).push(a);
  return a;
}

beforeAll(async () => {
  x = await TestExchange.create();
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  const mti = await x.agency('SG-MTI', ['euc-issuer', 'licensing'], 'EdDSA');
  const douane = await x.agency('NL-DOUANE', ['customs']);
  const sgCustoms = await x.agency('SG-CUSTOMS', ['customs']);
  const auditor = await x.agency('DE-AUDIT', ['auditor'], 'ES256', { auditScope: 'all' });
  const key2 = await makeKey('de-bafa-2');
  const key3 = await makeKey('de-bafa-3', 'EdDSA');

  // agencies and keys: create with and without auditScope, change, add / retire / revoke keys
  await run(x.operator, 'agency.register', { agencyId: 'FR-DGDDI', name: 'Douane', roles: ['customs', 'auditor'], keys: [{ kid: 'fr-1', jwk: key3.publicJwk }] });
  await run(x.operator, 'agency.register', { agencyId: 'FR-DGDDI', roles: ['customs'], status: 'suspended' });
  await run(bafa, 'agency.keys', { add: [{ kid: key2.kid, jwk: key2.publicJwk }] });
  await run(bafa, 'agency.keys', { retire: [key2.kid] });
  await run(x.operator, 'agency.register', { agencyId: 'DE-BAFA', revoke: [key2.kid] });

  // agreements: grant (201), change (200), withdraw (200), with and without validUntil
  await run(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['drawdown', 'verify'] });
  await run(bafa, 'agreement.put', { partner: 'SG-CUSTOMS', documentType: 'license', permissions: ['read'], validUntil: '2027-01-01' });
  await run(mti, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['verify', 'read'] });
  await run(mti, 'agreement.put', { partner: 'SG-CUSTOMS', documentType: 'euc', permissions: [] });
  // listed by the partner (received, a page with a cursor, then all) and by an owner (given)
  await run(douane, 'agreement.list', { limit: 1 });
  await run(douane, 'agreement.list', {});
  await run(bafa, 'agreement.list', {});

  // notifications: no subscription yet, one in local mode, read back (fan-out, delivery and list follow the status changes)
  (x.services as { endpoints?: unknown }).endpoints = { policy: LOCAL_ENDPOINTS, resolver: { lookup: async () => [] } };
  await run(douane, 'subscription.get', {});
  await run(douane, 'subscription.put', { endpoint: 'http://127.0.0.1:9/hook', events: ['license.status', 'license.version', 'license.drawdown', 'license.balance', 'euc.status', 'agency.key'] });
  await run(douane, 'subscription.get', {});

  // documents: publish, supersede, status
  answers.get('license.publish')!.push(await publish(x, bafa));
  answers.get('license.publish')!.push(await publish(x, bafa, licenseDoc({ version: 2, items: [{ line: 1, description: 'Camera', controlCode: '6A003.b.4', quantity: 3, unit: 'pcs' }] })));
  answers.get('euc.publish')!.push(await publishEuc(x, mti));
  await run(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'under review' });
  await run(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'active', reason: 'review closed' });
  await run(mti, 'euc.status', { eucId: 'SG-EUC-88121', status: 'active', reason: 'confirmed' });
  // the stream's work by hand: fan out every outbox item, deliver one (a notification.deliver event), list with a cursor
  const queue = new MemoryNotificationQueue();
  for (const r of x.store.all('audit').filter((rec) => isOutbox(rec.pk))) await fanOut({ services: x.services, queue }, r);
  const poster = { post: async () => ({ kind: 'answered' as const, status: 204, answerDigest: sha256b64url(''), address: '127.0.0.1' }) };
  await deliver({ services: x.services, queue, poster, policy: LOCAL_ENDPOINTS, schedule: DEFAULT_SCHEDULE }, queue.messages[0]!.body);
  await run(douane, 'notification.list', { limit: 1 });
  await run(douane, 'notification.list', {});

  // drawdowns: new (201), replayed (200), list
  await run(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-DECL-1', date: '2026-11-22', items: [{ line: 1, quantity: 2 }] });
  await run(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-DECL-1', date: '2026-11-22', items: [{ line: 1, quantity: 2 }] });
  await run(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123' });
  await run(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123', limit: 1 });

  // delivery confirmation (new 201, replay 200, another end user), the issuer's list with a cursor, the agency's own
  await run(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['drawdown', 'verify', 'confirm'] });
  await run(douane, 'delivery.confirm', confirmBody({ items: [{ line: 1, quantity: 1 }], eucRef: { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' } }));
  await run(douane, 'delivery.confirm', confirmBody({ items: [{ line: 1, quantity: 1 }], eucRef: { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' } }));
  await run(douane, 'delivery.confirm', confirmBody({ importDeclarationId: 'SG-IMP-0002', items: [{ line: 1, quantity: 2 }], endUser: { name: 'Elsewhere' } }));
  await run(bafa, 'delivery.list', { licenseId: 'DE-2026-000123', limit: 1 });
  await run(douane, 'delivery.list', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123' });
  // post-shipment verification: a case (201, replay 200), a report (201, again 200), a correction, the list and one case
  await run(mti, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] });
  await run(bafa, 'psv.request', psvRequestBody());
  await run(bafa, 'psv.request', psvRequestBody());
  await run(bafa, 'psv.request', psvRequestBody({ caseId: 'PSV-2026-002', dueDate: '2027-03-01' }));
  const v1 = await signPsvReport(mti);
  const first = await run(mti, 'psv.report', { document: v1 });
  await run(mti, 'psv.report', { document: v1 });
  await run(mti, 'psv.report', { document: await signPsvReport(mti, psvReportDoc({ version: 2, outcome: 'verified', supersedes: { version: 1, digest: first.result.digest } })) });
  await run(bafa, 'psv.query', { limit: 1 });
  await run(mti, 'psv.query', {});
  await run(bafa, 'psv.query', { caseId: 'PSV-2026-001' });
  await run(mti, 'psv.query', { caseId: 'PSV-2026-001', requester: 'DE-BAFA', version: 1 });

  // denials: notify and amend, revoke another, screening with screen and with read, a consultation answered twice
  answers.get('denial.notify')!.push(await notify(x, bafa));
  answers.get('denial.notify')!.push(await notify(x, bafa, denialDoc({ version: 2, validUntil: '2030-01-31' })));
  answers.get('denial.notify')!.push(await notify(x, bafa, denialDoc({ denialId: 'DE-DEN-2026-0043' })));
  await run(bafa, 'denial.revoke', { denialId: 'DE-DEN-2026-0043', reason: 'appeal granted' });
  await run(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'denial', permissions: ['screen'] });
  await run(bafa, 'agreement.put', { partner: 'SG-MTI', documentType: 'denial', permissions: ['read'] });
  await run(douane, 'screening.check', { parties: [{ name: 'Pars Optronics', country: 'IR', reference: 'p-1' }, { name: 'Nobody', country: 'DE' }], items: [{ controlCode: '6A003', description: 'cameras' }] });
  await run(mti, 'screening.check', { parties: [{ name: 'Industries Pars Optronik', country: 'TR', aliases: ['POI'], address: '12 Azadi Street, Tehran' }] });
  const consultation = await run(mti, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: 'the same cameras, another consignee' });
  const consultationId = (consultation.result.consultation as { consultationId: string }).consultationId;
  await run(bafa, 'consultation.answer', { consultationId, answer: 'information', text: 'checking the end user', extend: true });
  await run(mti, 'consultation.list', { limit: 1 });
  await run(bafa, 'consultation.answer', { consultationId, answer: 'withdrawn', text: 'no objection' });
  await run(bafa, 'consultation.list', {});

  // verification: valid with document (read), invalid with every optional check and details
  await run(sgCustoms, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment({ items: [{ controlCode: '6A003.b.4', quantity: 1 }] }) });
  // a version below what was drawn: remaining goes negative (protocol.md §5: current quantity − drawn)
  answers.get('license.publish')!.push(await publish(x, bafa, licenseDoc({ version: 3, items: [{ line: 1, description: 'Camera', controlCode: '6A003.b.4', quantity: 1, unit: 'pcs' }] })));
  await run(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment({ date: '2030-01-01', destinationCountry: 'MY', exporter: { name: 'Other' }, consignee: { name: 'Lumen Trading Pte. Ltd.' }, endUser: { name: 'x' }, items: [{ controlCode: '6A003.b.4', quantity: 99 }, { controlCode: '9Z999', quantity: 1 }] }) });
  await run(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' });
  await run(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121', check: { endUser: { name: 'Someone else' }, items: [{ quantity: 1000 }, { controlCode: '6A003.b.4', quantity: 1 }] } });

  // refusals of several kinds, for the problem schema
  await run(douane, 'license.status', { licenseId: 'X', status: 'active', reason: 'r' });
  await run(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment(), extra: 1 });
  await run(sgCustoms, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' });
  await run(bafa, 'license.drawdowns', { licenseId: 'NOPE' });
  await run(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-DECL-2', date: '2026-11-22', items: [{ line: 1, quantity: 100 }] });
  refusals.push(await x.send('agency.keys', 'not a jws'));
  refusals.push(await x.call({ agencyId: 'DE-NOBODY', privateJwk: (await makeKey('nobody-1')).privateJwk }, 'agency.keys', { retire: ['k'] }));

  // audit: query with a cursor, then seals and a proof once sealed
  await run(auditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 1 });
  await run(auditor, 'audit.query', { from: '2026-11-22T00:00:00Z', limit: 500 });
  await run(auditor, 'audit.seals', { fromSeq: 0 });
  await sealNow(x);
  await run(auditor, 'audit.seals', { fromSeq: 0, leaves: true });
  const events = (answers.get('audit.query')!.at(-1)!.result.events as { id: string }[]);
  await run(auditor, 'audit.proof', { eventId: events.at(-1)!.id });
  await run(auditor, 'audit.proof', { eventId: events[0]!.id });
}, 60_000);

describe('every action result against schemas/<act>.result.schema.json', () => {
  it.each(ACTION_ROUTES.map((r) => r.act))('%s', (act) => {
    const got = answers.get(act)!;
    expect(got.length, `${act} was driven to success`).toBeGreaterThan(0);
    // the success statuses openapi.json documents are the ones the scenario met
    expect([...new Set(got.map((a) => a.status))].sort()).toEqual(([200, 201] as const).filter((s) => ACTION_SUCCESS[act][s]));
    for (const a of got) {
      expect(a.status, JSON.stringify(a.problem)).toBeLessThan(300);
      expectValid(`${act}.result`, a.result, act);
      expectValid('response.claims', a.claims, `${act} claims`);
      expectValid('response.header', a.header, `${act} header`);
      expect('problem' in a.claims).toBe(false);
    }
  });

  it('the scenario reached the optional members (so the schemas are exercised, not only their required core)', () => {
    const results = (act: ActionName) => answers.get(act)!.map((a) => a.result);
    expect(results('agency.register').some((r) => r.auditScope === 'own')).toBe(true);
    expect(results('agency.keys').flatMap((r) => r.keys as object[])).toEqual(expect.arrayContaining([expect.objectContaining({ retiredAt: expect.any(String) })]));
    expect(results('license.verify').map((r) => [r.outcome, 'document' in r])).toEqual([['valid', true], ['invalid', false]]);
    expect((results('license.verify')[1]!.lines as { remaining: number }[])[0]!.remaining).toBe(-1);
    expect(results('euc.query').map((r) => [r.outcome, 'document' in r])).toEqual([['valid', true], ['invalid', true]]);
    expect(results('license.drawdown').map((r) => r.replayed)).toEqual([false, true]);
    expect(results('audit.query')[0]!.cursor).toEqual(expect.any(String));
    expect(results('audit.seals').map((r) => 'leaves' in r)).toEqual([false, true]);
    expect(results('audit.seals').map((r) => r.next)).toEqual([null, null]);
    expect(results('agreement.list').map((r) => typeof r.cursor)).toEqual(['string', 'object', 'object']);
    expect(results('agreement.list').flatMap((r) => r.agreements as object[])).toEqual(expect.arrayContaining([expect.objectContaining({ validUntil: '2027-01-01', grantedAt: expect.any(String) })]));
    expect(results('license.drawdowns').map((r) => r.cursor)).toEqual([null, null]);
    expect(results('delivery.confirm').map((r) => r.replayed)).toEqual([false, true, false]);
    expect(results('delivery.list').map((r) => [typeof r.cursor, 'aging' in r, 'lines' in r])).toEqual([['string', true, true], ['object', false, true]]);
    expect((results('delivery.list')[0]!.lines as { flags: string[] }[])[0]!.flags).toEqual(['over-delivered', 'end-user-mismatch']);
    expect(results('psv.report').map((r) => [r.version, r.replayed])).toEqual([[1, false], [1, true], [2, false]]);
    expect(results('psv.query').map((r) => (r.cases as { report?: { version: number } }[]).map((c) => c.report?.version ?? null))).toEqual([[null], [null, null], [2], [1]]);
    expect(results('audit.proof').some((r) => (r.path as string[]).length > 0)).toBe(true);
    expect(results('screening.check').map((r) => (r.denials as { access: string; document?: string }[]).map((d) => [d.access, 'document' in d]))).toEqual([[['screen', false]], [['read', true]]]);
    expect(results('screening.check').flatMap((r) => (r.parties as { matches: { matched: string[]; overlappingItems?: number[] }[] }[]).flatMap((p) => p.matches))).toEqual([
      expect.objectContaining({ overlappingItems: [0] }), expect.objectContaining({ matched: expect.arrayContaining(['fuzzy', 'address']) }),
    ]);
    expect(results('consultation.answer').map((r) => [(r.consultation as { state: string }).state, r.denialRevoked])).toEqual([['open', false], ['withdrawn', true]]);
  });
});

describe('refusals, audit events, requests and public documents against their schemas', () => {
  it('every refusal carries exactly a problem valid against problem.schema.json', () => {
    expect(refusals.map((a) => a.status).sort()).toEqual([400, 400, 401, 403, 403, 404, 409]);
    for (const a of refusals) {
      expectValid('response.claims', a.claims, `refusal ${a.status}`);
      expectValid('problem', a.problem, `problem ${a.status}`);
      expect('result' in a.claims).toBe(false);
    }
    expect(refusals.some((a) => (a.problem.errors ?? []).length > 0)).toBe(true);
  });

  it('every audit event the scenario wrote (bootstrap, key ring, allow, deny) is valid against audit.event', () => {
    const events = x.auditEvents();
    expect(new Set(events.map((e) => e.action))).toEqual(new Set(['agency.bootstrap', 'exchange.keys.create', 'notification.deliver', ...ACTION_ROUTES.map((r) => r.act)]));
    for (const e of events) expectValid('audit.event', e, `event ${e.action}`);
  });

  it('a request as the client signs it is valid against request.header and request.claims', async () => {
    const key = await makeKey('de-x-1');
    const { jws } = await signRequest({ agencyId: 'DE-XY', privateJwk: key.privateJwk }, EXCHANGE_ID, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'L1', shipment: shipment() }, { iat: x.nowSeconds() });
    expectValid('request.header', decodeProtectedHeader(jws), 'request header');
    expectValid('request.claims', decodeJwt(jws), 'request claims');
  });

  it('the public GET documents are valid against configuration and jwks (exchange; agency, EC and OKP keys with status)', async () => {
    expectValid('configuration', await configuration(x.services, 'https://exchange.example'), 'configuration');
    expectValid('jwks#/$defs/exchange', await exchangeJwks(x.services), 'exchange jwks');
    const bafa = await publicAgencyJwks(x.services, 'DE-BAFA');
    expect(bafa!.keys.map((k) => k.status)).toEqual(['active', 'revoked']);
    expectValid('jwks#/$defs/agency', bafa, 'DE-BAFA jwks');
    expectValid('jwks#/$defs/agency', await publicAgencyJwks(x.services, 'SG-MTI'), 'SG-MTI jwks (EdDSA)');
  });

  it('every seal returned by audit.seals and audit.proof has the header and payload of seal.schema.json', () => {
    const seals = [...answers.get('audit.seals')!.flatMap((a) => a.result.seals as string[]), ...answers.get('audit.proof')!.map((a) => a.result.seal as string)];
    expect(seals.length).toBeGreaterThan(1);
    for (const s of seals) {
      expectValid('seal#/$defs/header', decodeProtectedHeader(s), 'seal header');
      expectValid('seal#/$defs/payload', decodeJwt(s), 'seal payload');
    }
  });

  it('the audit bounds in the schemas follow the sealer (MAX_LEAVES leaves per seal)', () => {
    const seals = SCHEMAS.find((s) => s.$id === 'urn:corridor:schema:audit.seals.result')!;
    const proof = SCHEMAS.find((s) => s.$id === 'urn:corridor:schema:audit.proof.result')!;
    const leaves = (seals.properties as Record<string, { items: { maxItems: number } }>).leaves!.items.maxItems;
    const p = proof.properties as Record<string, { maximum?: number; maxItems?: number }>;
    expect([leaves, p.leafIndex!.maximum, p.path!.maxItems]).toEqual([MAX_LEAVES, MAX_LEAVES - 1, Math.ceil(Math.log2(MAX_LEAVES))]);
  });
});
