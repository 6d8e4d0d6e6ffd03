// Per-agency rate limit (protocol.md §3): a signed, audited 429 that consumes nothing; other agencies unaffected;
// the wait until the bucket has a token again travels as the HTTP Retry-After header, outside the signed body.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { Exchange } from '../../lambdas/core/exchange.ts';
import { RateLimiter } from '../../lambdas/core/rate-limit.ts';
import { signRequest } from '../../lambdas/client/signing.ts';
import { actionHandler, type HttpEvent } from '../../lambdas/handlers/http-edge.ts';
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

const signedGrant = async (as: TestAgency, jti?: string) =>
  (await signRequest(as, EXCHANGE_ID, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] }, { iat: x.nowSeconds(), ...(jti ? { jti } : {}) })).jws;
const grant = async (as: TestAgency, jti?: string) =>
  x.open(await limited.handle({ act: 'agreement.put', contentType: 'application/jose', body: Buffer.from(await signedGrant(as, jti)), sourceIp: '127.0.0.1', requestId: 'r' }));

/** An API Gateway payload 2.0 POST of `jws` to agreement.put's route. */
const post = (jws: string): HttpEvent => ({
  version: '2.0', routeKey: 'POST /v1/agreements', rawPath: '/v1/agreements', rawQueryString: '', isBase64Encoded: false,
  headers: { 'content-type': 'application/jose' }, body: jws,
  requestContext: { requestId: 'r', http: { method: 'POST', sourceIp: '127.0.0.1' } },
} as unknown as HttpEvent);

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

  it('a 429 carries the whole seconds until the bucket has a token again (≥ 1) as retryAfter, not in the signed body', async () => {
    limited = new Exchange({ ...x.services, rateLimiter: new RateLimiter(x.clock, { perSecond: 0.25, burst: 1 }) });
    expect((await grant(bafa)).status).toBe(201);
    const refused = await grant(bafa);
    expect([refused.status, refused.raw.retryAfter]).toEqual([429, 4]); // an empty bucket refills one token in 4 s
    expect(Object.keys(refused.problem).sort()).toEqual(['detail', 'status', 'title', 'type']); // protocol.md §3 shape unchanged
    expect(refused.claims).not.toHaveProperty('retryAfter');
    x.time += 2500;
    expect((await grant(bafa)).raw.retryAfter).toBe(2); // 1.5 s left, rounded up
    x.time += 1000;
    expect((await grant(bafa)).raw.retryAfter).toBe(1); // 0.5 s left: never 0
    x.time += 1000;
    const ok = await grant(bafa);
    expect([ok.status, ok.raw.retryAfter]).toEqual([200, undefined]);
  });

  it('the HTTP edge sends Retry-After with the 429 and none with an accepted answer', async () => {
    const http = actionHandler('agencies', () => limited);
    const first = await http(post(await signedGrant(bafa)));
    expect([first.statusCode, first.headers?.['retry-after']]).toEqual([201, undefined]);
    await http(post(await signedGrant(bafa)));
    const refused = await http(post(await signedGrant(bafa)));
    expect(refused).toMatchObject({ statusCode: 429, headers: { 'content-type': 'application/jose', 'retry-after': '1' } });
  });

  it('a 503 for a failed dependency carries Retry-After 1 (nothing changed, a new attempt may succeed)', async () => {
    vi.spyOn(x.store, 'get').mockRejectedValue(new Error('store down'));
    const a = await grant(bafa);
    expect([a.status, a.problem.type, a.raw.retryAfter]).toEqual([503, 'urn:corridor:problem:dependency-failed', 1]);
  });

  it('bounds its memory: idle buckets are dropped', () => {
    const r = new RateLimiter(x.clock, { perSecond: 10, burst: 10 }, 3);
    for (const id of ['A', 'B', 'C']) r.take(id);
    x.time += 2000;
    expect(r.take('D').ok).toBe(true);
    expect((r as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(1);
  });
});
