// Per-agency rate limit (PROTOCOL §3): a signed, audited 429 that consumes nothing; other agencies unaffected.
import { beforeEach, describe, expect, it } from 'vitest';
import { Exchange } from '../../lambdas/core/exchange.ts';
import { RateLimiter } from '../../lambdas/core/rate-limit.ts';
import { signRequest } from '../../lambdas/client/signing.ts';
import { EXCHANGE_ID, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';

let x: TestExchange;
let bafa: TestAgency;
let other: TestAgency;
let limited: Exchange;

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  other = await x.agency('FR-SBDU', ['licensing']);
  await x.agency('NL-DOUANE', ['customs']);
  limited = new Exchange({ ...x.services, rateLimiter: new RateLimiter(x.clock, { perSecond: 1, burst: 2 }) });
});

const grant = async (as: TestAgency, jti?: string) => {
  const { jws } = await signRequest(as, EXCHANGE_ID, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] }, { iat: x.nowSeconds(), ...(jti ? { jti } : {}) });
  return x.open(await limited.handle({ act: 'agreement.put', contentType: 'application/jose', body: Buffer.from(jws), sourceIp: '127.0.0.1', requestId: 'r' }));
};

describe('per-agency rate limit', () => {
  it('over its burst an agency gets a signed, audited 429 that changes nothing and consumes no jti', async () => {
    expect((await grant(bafa)).status).toBe(201);
    expect((await grant(bafa)).status).toBe(200);
    const detail = await expectRefusal(x, () => grant(bafa, 'rate-limited-jti-0001'), 429, 'rate-limited');
    expect(detail).toMatch(/^DE-BAFA exceeded 1 requests\/s \(burst 2\); retry in 1 s/);
    expect((await grant(other)).status).toBe(201); // another agency is not affected
    x.time += 1000;
    expect((await grant(bafa, 'rate-limited-jti-0001')).status).toBe(200); // the refused jti is still usable
  });

  it('bounds its memory: idle buckets are dropped', () => {
    const r = new RateLimiter(x.clock, { perSecond: 10, burst: 10 }, 3);
    for (const id of ['A', 'B', 'C']) r.take(id);
    x.time += 2000;
    expect(r.take('D').ok).toBe(true);
    expect((r as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(1);
  });
});
