// Issue 17 item 1: a drawdown is refused (409 naming the check) whenever license.verify would call the
// license invalid for reasons of the document itself — signature (key revoked, or retired before issue),
// status, validity — so a forged version signed with a stolen key cannot be drawn once the key is revoked.
import { beforeEach, describe, expect, it } from 'vitest';
import { makeKey } from '../helpers/keys.ts';
import { licenseDoc, publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] });
  expect((await publish(x, bafa)).status).toBe(201);
});

const draw = (declarationId: string, extra: Record<string, unknown> = {}) =>
  x.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId, date: '2026-11-22', items: [{ line: 1, quantity: 1 }], ...extra });
const verify = (date = '2026-11-22') => x.call(douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment({ date, items: [{ controlCode: '6A003.b.4', quantity: 1 }] }) });
const failedChecks = async (date?: string) => ((await verify(date)).result.checks as { name: string; ok: boolean }[]).filter((c) => !c.ok).map((c) => c.name);

/** A second key for DE-BAFA, so the first can be retired or revoked by the agency itself. */
async function secondKey(): Promise<TestAgency> {
  const k2 = await makeKey('bafa-2');
  expect((await x.call(bafa, 'agency.keys', { add: [{ kid: 'bafa-2', jwk: k2.publicJwk }] })).status).toBe(200);
  return { ...bafa, privateJwk: k2.privateJwk, key: k2 };
}

describe('license.drawdown refuses what license.verify calls invalid', () => {
  it('issuer key revoked: verify fails the signature check, and the drawdown is 409 naming it, nothing drawn', async () => {
    const next = await secondKey();
    expect((await x.call(next, 'agency.keys', { revoke: ['de-bafa-1'] })).status).toBe(200);
    expect(await failedChecks()).toEqual(['signature']);
    const detail = await expectRefusal(x, () => draw('NL-REVOKED'), 409, 'conflict');
    expect(detail).toBe('license DE-2026-000123 fails the signature check: signing key was revoked; nothing was drawn');
    // The same is true for an operator revocation (compromise reported to the operator).
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', revoke: ['bafa-2'] })).status).toBe(200);
  });

  it('a forged version with more quantity, signed with a stolen key, cannot be drawn once that key is revoked', async () => {
    const stolen = await secondKey();
    const forged = licenseDoc({ version: 2, items: [{ line: 1, description: 'Thermal imaging camera', controlCode: '6A003.b.4', quantity: 4000, unit: 'pcs' }] });
    expect((await publish(x, stolen, forged)).status).toBe(201);
    expect((await draw('NL-BEFORE', { items: [{ line: 1, quantity: 100 }] })).status).toBe(201);
    expect((await x.call(bafa, 'agency.keys', { revoke: ['bafa-2'] })).status).toBe(200);
    const detail = await expectRefusal(x, () => draw('NL-AFTER', { items: [{ line: 1, quantity: 100 }] }), 409, 'conflict');
    expect(detail).toMatch(/^license DE-2026-000123 fails the signature check: signing key was revoked/);
    // A declaration already recorded is still answered with what was committed (idempotency).
    const again = await draw('NL-BEFORE', { items: [{ line: 1, quantity: 100 }] });
    expect([again.status, again.result.replayed]).toEqual([200, true]);
  });

  it('a key retired after the version was issued still signs it: verify and drawdown both accept', async () => {
    const next = await secondKey();
    expect((await x.call(next, 'agency.keys', { retire: ['de-bafa-1'] })).status).toBe(200);
    expect(await failedChecks()).toEqual([]);
    expect((await x.call(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-OK', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] })).status).toBe(201);
  });

  it('status and validity name their check too', async () => {
    expect(await failedChecks('2027-11-02')).toEqual(['validity']);
    expect(await expectRefusal(x, () => draw('NL-LATE', { date: '2027-11-02' }), 409, 'conflict'))
      .toBe('license DE-2026-000123 fails the validity check: declaration date is outside the license validity; nothing was drawn');
    await x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'r' });
    expect(await failedChecks()).toEqual(['status']);
    expect(await expectRefusal(x, () => draw('NL-SUSP'), 409, 'conflict'))
      .toBe('license DE-2026-000123 fails the status check: license is suspended; nothing was drawn');
  });

  it('the agreement is checked before existence, existence before the license checks: 403, then 404, then 409', async () => {
    const next = await secondKey();
    await x.call(next, 'agency.keys', { revoke: ['de-bafa-1'] });
    await expectRefusal(x, () => draw('NL-X'), 409, 'conflict');
    await expectRefusal(x, () => draw('NL-X', { licenseId: 'DE-NONE' }), 404, 'not-found');
    expect((await x.call(next, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] })).status).toBe(200);
    await expectRefusal(x, () => draw('NL-X'), 403, 'no-agreement');
    await expectRefusal(x, () => draw('NL-X', { licenseId: 'DE-NONE' }), 403, 'no-agreement');
  });
});
