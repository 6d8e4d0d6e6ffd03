// Canary scan (protocol.md §7): a realistic day on moto — agencies, agreements, two license versions,
// an end-use certificate, verifications, drawdowns, status changes with reasons, refusals,
// audit queries and proofs, seals, a response-key rotation — with unique markers in every
// piece of trade data. Afterwards no table holds any marker in any encoding, and neither do logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import { sealAll } from '../../lambdas/core/sealer.ts';
import { makeKey } from '../helpers/keys.ts';
import { eucDoc, licenseDoc, publish, publishEuc, shipment } from '../helpers/licenses.ts';
import type { TestAgency } from '../helpers/memory-exchange.ts';
import { MotoExchange } from '../helpers/moto-exchange.ts';
import { canary, encodedForms, findCanaries, rawItems, type RawItem } from './canary.ts';

const C = Object.fromEntries(
  ['exporter', 'consignee', 'endUser', 'item1', 'item2', 'condition', 'exporter2', 'item3', 'shipExporter', 'shipConsignee', 'statusReason', 'eucEndUser', 'eucAddress', 'eucImporter', 'eucItem', 'eucUse', 'eucCheckName', 'eucReason', 'refusedDoc', 'refusedBody'].map((k) => [k, canary(k)]),
) as Record<string, string>;

let x: MotoExchange;
let bafa: TestAgency;
let douane: TestAgency;
let mti: TestAgency;
let olaf: TestAgency;
const answers: number[] = [];

const call = async (...args: Parameters<MotoExchange['call']>) => {
  const a = await x.call(...args);
  answers.push(a.status);
  return a;
};

beforeAll(async () => {
  x = await MotoExchange.start();
  try {
    await aDay();
  } catch (e) {
    await x.stop(); // a failed setup must not leave moto running
    throw e;
  }
}, 120_000);

async function aDay(): Promise<void> {
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  mti = await x.agency('SG-MTI', ['euc-issuer']);
  olaf = await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  await call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['read', 'drawdown'] });
  await call(mti, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['read'] });
  const next = await makeKey('de-bafa-2');
  await call(bafa, 'agency.keys', { add: [{ kid: next.kid, jwk: next.publicJwk }] });

  // Documents: every name, description, statement and condition carries a marker.
  const v1 = licenseDoc({
    licenseId: 'DE-2026-CANARY',
    exporter: { name: `${C.exporter} GmbH`, country: 'DE' },
    consignee: { name: `${C.consignee} Pte Ltd`, country: 'SG' },
    endUser: { name: `${C.endUser} Lab`, country: 'SG' },
    items: [
      { line: 1, description: `${C.item1} camera`, controlCode: '6A003.b.4', quantity: 40, unit: 'pcs', value: 120000, currency: 'EUR' },
      { line: 2, description: `${C.item2} lens`, controlCode: '6A004.a', quantity: 10, unit: 'pcs' },
    ],
    conditions: [`${C.condition}: no re-export`],
  });
  answers.push((await publish(x, bafa, v1)).status);
  answers.push((await publishEuc(x, mti, eucDoc({
    eucId: 'SG-EUC-CANARY',
    endUser: { name: `${C.eucEndUser} Lab`, country: 'SG', address: `${C.eucAddress} Way` },
    importer: { name: `${C.eucImporter} Pte Ltd`, country: 'SG' },
    items: [{ description: `${C.eucItem} camera`, controlCode: '6A003.b.4', quantity: 40, unit: 'pcs' }],
    endUse: `${C.eucUse} research`,
  }))).status);

  // Use: verifications with names, drawdowns, status changes with reasons, a new version.
  const ship = shipment({ exporter: { name: `${C.exporter} GmbH` }, consignee: { name: `${C.shipConsignee} Ltd` }, endUser: { name: `${C.shipExporter} Lab` } });
  await call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-CANARY', shipment: ship });
  await call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-CANARY', declarationId: 'NL-2026-0001', date: '2026-11-22', items: [{ line: 1, quantity: 5 }, { line: 2, quantity: 1 }] });
  await call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-CANARY', declarationId: 'NL-2026-0001', date: '2026-11-22', items: [{ line: 2, quantity: 1 }, { line: 1, quantity: 5 }] });
  await call(bafa, 'license.drawdowns', { licenseId: 'DE-2026-CANARY' });
  await call(bafa, 'license.status', { licenseId: 'DE-2026-CANARY', status: 'suspended', reason: `${C.statusReason} under review` });
  const v2 = { ...v1, version: 2, exporter: { name: `${C.exporter2} GmbH`, country: 'DE' }, items: [{ line: 1, description: `${C.item3} camera`, controlCode: '6A003.b.4', quantity: 60, unit: 'pcs' }] };
  answers.push((await publish(x, bafa, v2)).status);
  await call(bafa, 'license.status', { licenseId: 'DE-2026-CANARY', status: 'active', reason: `${C.statusReason} cleared` });
  await call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-CANARY', shipment: ship });
  await call(douane, 'euc.query', { issuer: 'SG-MTI', eucId: 'SG-EUC-CANARY', check: { endUser: { name: `${C.eucCheckName} Lab` }, items: [{ controlCode: '6A003.b.4', quantity: 5 }] } });
  await call(mti, 'euc.status', { eucId: 'SG-EUC-CANARY', status: 'suspended', reason: `${C.eucReason} site visit` });

  // Refusals whose requests carry markers: the deny events must not keep them.
  const bad = await signDocument(bafa.privateJwk, 'corridor-license+jws', { ...v1, licenseId: 'DE-2026-REFUSED', version: 1, extra: C.refusedDoc });
  await call(bafa, 'license.publish', { document: bad });
  await call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-CANARY', shipment: ship, note: C.refusedBody });
  await call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-NONE', shipment: ship });

  // The audit trail: seal, read, prove; and an exchange key rotation.
  await sealAll(x.services, x.services.sealSigner);
  const q = await call(olaf, 'audit.query', { from: new Date(Date.now() - 3_600_000).toISOString(), limit: 50 });
  await call(olaf, 'audit.proof', { eventId: (q.result.events as { id: string }[])[0]!.id });
  await call(olaf, 'audit.seals', { fromSeq: 0, leaves: true });
  await x.services.responseKeys.rotate();
  await sealAll(x.services, x.services.sealSigner);
}

afterAll(async () => {
  await x?.stop();
});

describe('canary scan', () => {
  it('the scanner finds a marker in every encoding it claims to cover (positive control)', () => {
    const m = canary('probe');
    const item = (value: RawItem['item'][string]): RawItem => ({ table: 'documents', item: { pk: { S: 'P' }, v: value } });
    const encoded = [
      item({ S: `x ${m} y` }),
      item({ B: Buffer.from(`{"name":"${m}"}`) }),
      item({ S: Buffer.from(`{"name":"${m}"}`).toString('hex') }),
      item({ S: `eyJ.${Buffer.from(`{"a":"${m}"}`).toString('base64url')}.sig` }),
      item({ M: { nested: { L: [{ S: m }] } } }),
      ...[0, 1, 2].flatMap((pad) => [item({ S: Buffer.from(`${'p'.repeat(pad)}${m}`).toString('base64') }), item({ B: Buffer.from(Buffer.from(`${'q'.repeat(pad)}${m}?>`).toString('base64')) })]),
    ];
    for (const it of encoded) expect(findCanaries([it], [m]), JSON.stringify(it.item.v)).toHaveLength(1);
    expect(findCanaries([item({ S: canary('other') }), item({ B: new Uint8Array(64) })], [m])).toEqual([]);
    expect(encodedForms(m).every((f) => f.length >= 16)).toBe(true);
  });

  it('the sequence ran as a real day would: successes, refusals, and every kind of record stored', async () => {
    expect(answers.filter((s) => s === 200 || s === 201).length).toBeGreaterThanOrEqual(14);
    expect(answers.filter((s) => s >= 400)).toEqual([400, 400, 404]);
    const keys = (await rawItems(x)).map((r) => `${r.table}/${r.item.pk!.S}/${r.item.sk?.S ?? ''}`);
    for (const kind of [/^documents\/LICENSE#.*\/V#0000000002$/, /^documents\/LICENSE#.*\/CUR#BALANCE$/, /^documents\/LICENSE#.*\/DRAWDOWN#/, /^documents\/EUC#.*\/CUR#HEAD$/, /^audit\/SEAL#/, /^audit\/ev-/, /^registry\/EXCHANGE\//]) {
      expect(keys.some((k) => kind.test(k)), String(kind)).toBe(true);
    }
  });

  it('no table holds any marker: every item, every attribute, as text, binary, hex and base64', async () => {
    const items = await rawItems(x);
    expect(items.length).toBeGreaterThan(40);
    expect(findCanaries(items, Object.values(C))).toEqual([]);
  });

  it('no log line holds any marker', () => {
    expect(x.logs.length).toBeGreaterThan(0);
    const logs = x.logs.map((line) => ({ table: 'audit' as const, item: { pk: { S: 'log' }, line: { S: line } } }));
    expect(findCanaries(logs, Object.values(C))).toEqual([]);
  });
});
