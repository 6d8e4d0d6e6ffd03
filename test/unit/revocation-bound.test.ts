// The revocation bound of the warm-process cache (docs/performance.md), on a fake clock: a key
// revoked, an agency suspended or an agreement withdrawn through one process stops working in
// another warm process at most CORRIDOR_AGENCY_CACHE_MS after that process last read the record;
// key changes never trust the cache, and additions take effect at once.
import { beforeEach, describe, expect, it } from 'vitest';
import { signRequest, type SigningIdentity } from '../../lambdas/client/signing.ts';
import { DEFAULT_AGENCY_CACHE_MS } from '../../lambdas/config.ts';
import { AgencyDirectory } from '../../lambdas/core/agency-directory.ts';
import { Exchange } from '../../lambdas/core/exchange.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { makeKey } from '../helpers/keys.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { EXCHANGE_ID, TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';

const TTL = DEFAULT_AGENCY_CACHE_MS;
const VERIFY = { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() };

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;
/** Another warm Lambda container: same tables, its own cache. */
let warm: Exchange;

async function viaWarm(as: SigningIdentity, act: ActionName, body: unknown): Promise<Answer> {
  const { jws } = await signRequest(as, EXCHANGE_ID, act, body, { iat: x.nowSeconds() });
  return x.open(await warm.handle({ act, contentType: 'application/jose', body: Buffer.from(jws), sourceIp: '127.0.0.1', requestId: 'warm' }));
}

const outcome = (a: Answer): [number, string | undefined] => [a.status, a.problem?.type];

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  expect((await publish(x, bafa)).status).toBe(201);
  warm = new Exchange({ ...x.services, directory: new AgencyDirectory(x.store, x.clock, TTL) });
  expect((await viaWarm(douane, 'license.verify', VERIFY)).status).toBe(200); // fills the warm cache at time t0
});

describe(`warm-process cache: the revocation bound is CORRIDOR_AGENCY_CACHE_MS (default ${TTL} ms)`, () => {
  it('a warm verification reads no agency and no agreement: only the document Query and the audit write', async () => {
    const before = { ...x.store.calls };
    expect((await viaWarm(douane, 'license.verify', VERIFY)).status).toBe(200);
    expect({ get: x.store.calls.get - before.get, query: x.store.calls.query - before.query, commit: x.store.calls.commit - before.commit }).toEqual({ get: 0, query: 1, commit: 1 });
  });

  it('a revoked key keeps verifying until t0 + TTL − 1 ms and is refused from t0 + TTL on', async () => {
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'NL-DOUANE', revoke: ['nl-douane-1'] })).status).toBe(200);
    x.time += TTL - 1;
    expect((await viaWarm(douane, 'license.verify', VERIFY)).status).toBe(200);
    x.time += 1;
    expect(outcome(await viaWarm(douane, 'license.verify', VERIFY))).toEqual([401, 'urn:corridor:problem:key-not-usable']);
  });

  it('within the bound a revoked key still cannot change keys, agencies or agreements: those read fresh', async () => {
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'NL-DOUANE', revoke: ['nl-douane-1'] })).status).toBe(200);
    const attacker = await makeKey('attacker-1');
    expect(outcome(await viaWarm(douane, 'agency.keys', { add: [{ kid: 'attacker-1', jwk: attacker.publicJwk }] }))).toEqual([401, 'urn:corridor:problem:key-not-usable']);
  });

  it('a suspended agency keeps verifying until t0 + TTL − 1 ms and is refused from t0 + TTL on', async () => {
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'NL-DOUANE', status: 'suspended' })).status).toBe(200);
    x.time += TTL - 1;
    expect((await viaWarm(douane, 'license.verify', VERIFY)).status).toBe(200);
    x.time += 1;
    expect(outcome(await viaWarm(douane, 'license.verify', VERIFY))).toEqual([403, 'urn:corridor:problem:agency-suspended']);
  });

  it('a withdrawn agreement keeps granting until t0 + TTL − 1 ms and is refused from t0 + TTL on', async () => {
    expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: [] })).status).toBe(200);
    x.time += TTL - 1;
    expect((await viaWarm(douane, 'license.verify', VERIFY)).status).toBe(200);
    x.time += 1;
    expect(outcome(await viaWarm(douane, 'license.verify', VERIFY))).toEqual([403, 'urn:corridor:problem:no-agreement']);
  });

  it('additions need no wait: a key added, an agency reactivated, a permission granted work at once in the warm process', async () => {
    const second = await makeKey('nl-douane-2');
    expect((await x.call(douane, 'agency.keys', { add: [{ kid: 'nl-douane-2', jwk: second.publicJwk }] })).status).toBe(200);
    expect((await viaWarm({ agencyId: 'NL-DOUANE', privateJwk: second.privateJwk }, 'license.verify', VERIFY)).status).toBe(200);
    await x.call(x.operator, 'agency.register', { agencyId: 'NL-DOUANE', status: 'suspended' });
    x.time += TTL;
    expect(outcome(await viaWarm(douane, 'license.verify', VERIFY))).toEqual([403, 'urn:corridor:problem:agency-suspended']); // read fresh: suspended
    await x.call(x.operator, 'agency.register', { agencyId: 'NL-DOUANE', status: 'active' });
    expect((await viaWarm(douane, 'license.verify', VERIFY)).status).toBe(200);
    expect(outcome(await viaWarm(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-1', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] }))).toEqual([403, 'urn:corridor:problem:no-agreement']);
    await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] });
    expect(outcome(await viaWarm(douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-1', date: '2026-11-22', items: [{ line: 1, quantity: 1 }] }))).toEqual([201, undefined]);
  });
});
