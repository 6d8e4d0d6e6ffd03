// Regressions for findings of the security review: each was reproduced before its fix.
import { beforeEach, describe, expect, it } from 'vitest';
import { AgencyDirectory } from '../../lambdas/core/agency-directory.ts';
import { Exchange } from '../../lambdas/core/exchange.ts';
import { makeKey } from '../helpers/keys.ts';
import { licenseDoc, publish } from '../helpers/licenses.ts';
import { EXCHANGE_ID, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { rawJws } from '../helpers/raw-jws.ts';
import { signRequest } from '../../lambdas/client/signing.ts';

let x: TestExchange;
let bafa: TestAgency;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
});

describe('review regressions', () => {
  it('a key revoked elsewhere cannot add a key through a warm process that cached the agency', async () => {
    const warm = new Exchange({ ...x.services, directory: new AgencyDirectory(x.store, x.clock, 60_000) });
    const send = async (body: unknown, act: 'agency.keys' | 'agreement.put') => x.open(await warm.handle({ act, contentType: 'application/jose', body: Buffer.from((await signRequest(bafa, EXCHANGE_ID, act, body, { iat: x.nowSeconds() })).jws), sourceIp: '127.0.0.1', requestId: 'warm' }));
    const spare = await makeKey('bafa-2');
    expect((await send({ add: [{ kid: 'bafa-2', jwk: spare.publicJwk }] }, 'agency.keys')).status).toBe(200); // warms the cache
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', revoke: ['de-bafa-1'] })).status).toBe(200);
    const attacker = await makeKey('attacker-1');
    const a = await send({ add: [{ kid: 'attacker-1', jwk: attacker.publicJwk }] }, 'agency.keys');
    expect([a.status, a.problem.type]).toEqual([401, 'urn:corridor:problem:key-not-usable']);
    expect((await x.services.directory.get('DE-BAFA'))!.keys.map((k) => k.kid)).toEqual(['de-bafa-1', 'bafa-2']);
  });

  it('raw control characters in a JSON string are a 400, not a 503', async () => {
    const iat = x.nowSeconds();
    const payload = JSON.stringify({ iss: 'DE-BAFA', aud: EXCHANGE_ID, iat, exp: iat + 60, jti: 'control-char-jti-0001', act: 'agreement.put', body: {} });
    const a = await x.send('agreement.put', rawJws(bafa.privateJwk, '{"alg":"ES256","kid":"x\t","typ":"corridor-request+jws"}', payload));
    expect([a.status, a.problem.type]).toEqual([400, 'urn:corridor:problem:malformed-request']);
  });

  it('the operator cannot revoke its own last active key', async () => {
    const a = await x.call(x.operator, 'agency.register', { agencyId: 'XX-OPERATOR', revoke: ['op-1'] });
    expect([a.status, a.problem.type]).toEqual([409, 'urn:corridor:problem:conflict']);
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'DE-BAFA', name: 'still works' })).status).toBe(200);
  });

  it('an issuedAt that does not parse (leap second) is refused', async () => {
    const a = await publish(x, bafa, licenseDoc({ issuedAt: '2026-06-30T23:59:60Z' }));
    expect([a.status, a.problem.type]).toEqual([400, 'urn:corridor:problem:document-invalid']);
  });
});
