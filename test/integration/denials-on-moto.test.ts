// Denials, screening and consultations on DynamoDB + KMS (moto), through the real adapters and two exchange
// processes over the same tables: a denial notified, amended or withdrawn in one process is screened (or no longer)
// by the other on its next call; concurrent notifications from both keep the screening feed gap-free; refusals
// change nothing; per-run canaries in every name, address and text are found nowhere in the raw tables or the logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices } from '../../lambdas/adapters/aws/aws-services.ts';
import { canary, findCanaries, rawItems } from '../faults/canary.ts';
import { denialDoc, notify } from '../helpers/denials.ts';
import { captureLogger, EXCHANGE_ID, ExchangeDriver, type TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange, REGION } from '../helpers/moto-exchange.ts';

const SECRET = { endUser: canary('enduser'), alias: canary('alias'), address: canary('address'), broker: canary('broker'), rationale: canary('rationale'), summary: canary('summary'), answer: canary('answer') };

let x: MotoExchange;
/** A second warm process: its own services (and screening index) over the same tables. */
let other: ExchangeDriver;
const otherLogs: string[] = [];
let bafa: TestAgency;
let fr: TestAgency;
let douane: TestAgency;

const doc = (over: Record<string, unknown> = {}) => denialDoc({
  parties: [
    { role: 'end-user', name: `${SECRET.endUser} Optronic Industries`, aliases: [SECRET.alias], address: `${SECRET.address} Street, Tehran`, country: 'IR' },
    { role: 'intermediary', name: `${SECRET.broker} Trading FZE`, country: 'AE' },
  ],
  rationale: `Supplies weapon sights: ${SECRET.rationale}`,
  ...over,
});
const screenIn = (driver: ExchangeDriver, name: string) => driver.call(douane, 'screening.check', { parties: [{ name, country: 'IR' }] });
const matchesOf = (a: { result: Record<string, unknown> }) => (a.result.parties as { matches: { denialId: string; version: number }[] }[])[0]!.matches;

beforeAll(async () => {
  x = await MotoExchange.start();
  other = new ExchangeDriver(buildServices({
    exchangeId: EXCHANGE_ID, region: REGION, awsEndpoint: x.emulator.endpoint, tables: x.tables, payloadKeyId: x.payloadKeyId, sealKeyId: x.sealKeyId,
    agencyCacheMs: 0, responseKeyRefreshMs: 300_000,
  }, x.clients, captureLogger(otherLogs)), Date.now);
  bafa = await x.agency('DE-BAFA', ['licensing']);
  fr = await x.agency('FR-SBDU', ['licensing'], 'EdDSA');
  douane = await x.agency('NL-DOUANE', ['customs']);
  expect((await notify(x, bafa, doc())).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await x?.stop();
});

describe('denials on moto, across processes', () => {
  it('the other process screens nothing before the grant, and the denial once screen is granted', async () => {
    expect((await screenIn(other, `${SECRET.endUser} Optronic Industries`)).result.denialsScreened).toBe(0);
    expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'denial', permissions: ['screen'] })).status).toBe(201);
    expect((await x.call(bafa, 'agreement.put', { partner: 'FR-SBDU', documentType: 'denial', permissions: ['read'] })).status).toBe(201);
    const a = await screenIn(other, `${SECRET.endUser.toUpperCase()} OPTRONIK INDUSTRIES LLC`);
    expect(matchesOf(a)).toEqual([expect.objectContaining({ denialId: 'DE-DEN-2026-0042', version: 1, role: 'end-user', matched: ['fuzzy', 'country'] })]);
  });

  it('an amendment in one process is screened by the other on its next call', async () => {
    expect((await screenIn(other, `${SECRET.broker} Trading`)).result.denials).toEqual([expect.objectContaining({ version: 1 })]);
    expect((await notify(x, bafa, doc({ version: 2, parties: [{ role: 'end-user', name: `${SECRET.endUser} Optronic Industries`, country: 'IR' }] }))).status).toBe(201);
    expect(matchesOf(await screenIn(other, `${SECRET.broker} Trading`))).toEqual([]);
    expect(matchesOf(await screenIn(other, `${SECRET.endUser} Optronic Industries`))[0]!.version).toBe(2);
  });

  it('notifications from both processes at once all land, and both screen every one of them', async () => {
    const names = ['Kavir Machine Tools', 'Caspian Precision Machinery', 'Zagros Hydraulic Systems', 'Alborz Vacuum Technik'];
    const answers = await Promise.all(names.map((name, i) => notify(i % 2 ? other : x, bafa, denialDoc({ denialId: `DE-DEN-C${i}`, parties: [{ role: 'consignee', name, country: 'IR' }] }))));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    for (const driver of [x, other]) {
      const a = await driver.call(douane, 'screening.check', { parties: names.map((name) => ({ name, country: 'IR' })) });
      expect((a.result.parties as { matches: { denialId: string }[] }[]).map((p) => p.matches.map((m) => m.denialId))).toEqual([['DE-DEN-C0'], ['DE-DEN-C1'], ['DE-DEN-C2'], ['DE-DEN-C3']]);
    }
    const feed = (await x.scan('documents')).filter((i) => i.pk?.S === 'DENIALFEED' && i.sk?.S?.startsWith('E#')).map((i) => Number(i.sk!.S!.slice(2))).sort((a, b) => a - b);
    expect(feed).toEqual(Array.from({ length: feed.length }, (_, i) => i + 1));
    expect(feed.length).toBe(6);
  });

  it('a consultation withdrawn in one process revokes the denial for the other at once; then consulting on it is refused and changes nothing', async () => {
    const opened = await x.call(fr, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: SECRET.summary });
    expect(opened.status).toBe(201);
    const id = (opened.result.consultation as { consultationId: string }).consultationId;
    const w = await other.call(bafa, 'consultation.answer', { consultationId: id, answer: 'withdrawn', text: SECRET.answer });
    expect([w.status, w.result.denialRevoked]).toEqual([200, true]);
    expect(matchesOf(await screenIn(x, `${SECRET.endUser} Optronic Industries`))).toEqual([]);
    const listed = await x.call(fr, 'consultation.list', {});
    expect((listed.result.consultations as { state: string; answers: { text: string }[] }[]).map((c) => [c.state, c.answers[0]!.text])).toEqual([['withdrawn', SECRET.answer]]);
    const before = await x.snapshot();
    const again = await x.call(fr, 'consultation.open', { issuer: 'DE-BAFA', denialId: 'DE-DEN-2026-0042', summary: 'again' });
    expect([again.status, again.problem.type]).toEqual([409, 'urn:corridor:problem:conflict']);
    expect(await x.snapshot()).toBe(before);
  });

  it('no canary — names, aliases, addresses, rationale, summary, answer — anywhere in the raw tables, the audit events or either process\'s logs', async () => {
    expect(findCanaries(await rawItems(x), Object.values(SECRET))).toEqual([]);
    expect(JSON.stringify(await x.auditEvents())).not.toMatch(/cnry/);
    expect(x.logs.length + otherLogs.length).toBeGreaterThan(0);
    expect([...x.logs, ...otherLogs].join('\n')).not.toMatch(/cnry/);
  });
});
