// CorridorClient retries: only 429/503, each attempt re-signed with a fresh jti, full-jitter
// backoff bounded by attempts and deadline, Retry-After as a floor. Time is faked: nothing waits.
import { compactVerify, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorridorClient, ExchangeUnavailableError, UntrustedResponseError } from '../../lambdas/client/corridor-client.ts';
import { parseRetryAfter, retryDelay, DEFAULT_RETRY } from '../../lambdas/client/retry.ts';
import { fakeExchange, fakeTime, type Plan } from '../helpers/fake-exchange.ts';
import { makeKey, type TestKey } from '../helpers/keys.ts';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('de-bafa-1');
});

const BODY = { licenseId: 'DE-1', status: 'suspended', reason: 'r' } as const;

async function setup(plan: (n: number) => Plan, retry = {}, random = () => 0.5) {
  const ex = await fakeExchange(plan);
  const time = fakeTime();
  const client = new CorridorClient('http://127.0.0.1:1', { agencyId: 'DE-BAFA', privateJwk: key.privateJwk }, { fetch: ex.fetch, sleep: time.sleep, now: time.now, random, retry });
  return { ex, time, client };
}

describe('CorridorClient retries', () => {
  it('429 then 503 then 200: three requests, each freshly signed with its own jti; Retry-After is a floor; the typed result arrives', async () => {
    const plans: Plan[] = [{ status: 429, retryAfter: '2' }, { status: 503 }, { status: 200 }];
    const { ex, time, client } = await setup((n) => plans[n]!);
    const a = await client.call('license.status', BODY);
    expect([a.status, a.attempts, a.result?.changedAt]).toEqual([200, 3, '2026-11-22T10:00:00.000Z']);
    const jtis = ex.sent.map((s) => s.claims.jti);
    expect(new Set(jtis).size).toBe(3);
    const pub = await importJWK(key.publicJwk, 'ES256');
    for (const s of ex.sent) {
      await expect(compactVerify(s.jws, pub)).resolves.toBeDefined();
      expect(s.header).toEqual({ alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-request+jws' });
      expect(s.claims).toMatchObject({ iss: 'DE-BAFA', aud: 'corridor:test', act: 'license.status', body: BODY });
    }
    // random 0.5: first window 250 ms → 125, raised to Retry-After 2 s; second window 500 ms → 250
    expect(time.slept).toEqual([2000, 250]);
  });

  it('always 503: stops after maxAttempts, each wait within its doubling window, and returns the signed 503', async () => {
    const { ex, time, client } = await setup(() => ({ status: 503 }), {}, () => 0.999999);
    const a = await client.call('license.status', BODY);
    expect([a.status, a.attempts, a.problem?.status]).toEqual([503, DEFAULT_RETRY.maxAttempts, 503]);
    expect(ex.sent).toHaveLength(DEFAULT_RETRY.maxAttempts);
    expect(time.slept).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
    time.slept.forEach((ms, i) => expect(ms).toBeLessThan(Math.min(DEFAULT_RETRY.maxDelayMs, DEFAULT_RETRY.baseDelayMs * 2 ** i)));
  });

  it('the deadline bounds the total: a wait that would end past it is not started', async () => {
    const { ex, time, client } = await setup(() => ({ status: 429 }), { maxAttempts: 10, baseDelayMs: 800, deadlineMs: 1000 }, () => 0.99);
    const a = await client.call('license.status', BODY);
    expect([a.status, ex.sent.length]).toEqual([429, 2]);
    expect(time.slept).toEqual([792]);
  });

  it('a Retry-After longer than the largest wait is not waited for: the 429 comes back at once', async () => {
    const { ex, time, client } = await setup(() => ({ status: 429, retryAfter: '3600' }));
    const a = await client.call('license.status', BODY);
    expect([a.status, ex.sent.length, time.slept]).toEqual([429, 1, []]);
  });

  it.each([400, 401, 403, 404, 409, 413, 415])('%i is never retried', async (status) => {
    const { ex, time, client } = await setup(() => ({ status }));
    const a = await client.call('license.status', BODY);
    expect([a.status, a.problem?.status, a.attempts, ex.sent.length, time.slept]).toEqual([status, status, 1, 1, []]);
  });

  it('retries: 0 sends once', async () => {
    const { ex, client } = await setup(() => ({ status: 503 }), { maxAttempts: 1 });
    expect((await client.call('license.status', BODY)).status).toBe(503);
    expect(ex.sent).toHaveLength(1);
  });

  it('a given jti is used for the first attempt only; retries get new ones', async () => {
    const plans: Plan[] = [{ status: 503 }, { status: 200 }];
    const { ex, client } = await setup((n) => plans[n]!);
    await client.call('license.status', BODY, { jti: 'my-own-jti-0123456789' });
    expect(ex.sent[0]!.claims.jti).toBe('my-own-jti-0123456789');
    expect(ex.sent[1]!.claims.jti).not.toBe('my-own-jti-0123456789');
  });

  it('unsigned 503s are retried, then reported as unavailable; another unsigned status is untrusted at once', async () => {
    const { ex, client } = await setup(() => ({ status: 503, unsigned: true }));
    await expect(client.call('license.status', BODY)).rejects.toBeInstanceOf(ExchangeUnavailableError);
    expect(ex.sent).toHaveLength(DEFAULT_RETRY.maxAttempts);
    const other = await setup(() => ({ status: 502, unsigned: true }));
    await expect(other.client.call('license.status', BODY)).rejects.toBeInstanceOf(UntrustedResponseError);
    expect(other.ex.sent).toHaveLength(1);
  });

  it('a network failure is not retried (the request may have arrived) and is reported as unavailable', async () => {
    const ex = await fakeExchange(() => ({ status: 200 }));
    let posts = 0;
    const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      if (init?.method === 'POST') {
        posts++;
        throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      }
      return ex.fetch(input, init);
    };
    const client = new CorridorClient('http://127.0.0.1:1', { agencyId: 'DE-BAFA', privateJwk: key.privateJwk }, { fetch });
    await expect(client.call('license.status', BODY)).rejects.toThrow(/cannot reach the exchange.*ECONNRESET/);
    expect(posts).toBe(1);
  });
});

describe('retry arithmetic', () => {
  it('parses Retry-After as seconds or an HTTP-date, ignoring anything else', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('full jitter: 0 and just under the window are both possible; the window doubles to the cap', () => {
    const p = { ...DEFAULT_RETRY, maxAttempts: 20 };
    const at = (retry: number, r: number) => retryDelay(p, { retry, startedMs: 0, nowMs: 0, random: () => r });
    expect([at(0, 0), at(0, 0.999999), at(3, 0.999999), at(10, 0.999999)]).toEqual([0, 249, 1999, 7999]);
  });
});
