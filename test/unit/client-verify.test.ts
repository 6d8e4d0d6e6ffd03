// CorridorClient accepts an answer only when it is the exchange's, for this request and this
// agency: every way an answer can be spoiled is refused with UntrustedResponseError.
import { beforeAll, describe, expect, it } from 'vitest';
import { CorridorClient, UntrustedResponseError } from '../../lambdas/client/corridor-client.ts';
import { fakeExchange, type Plan } from '../helpers/fake-exchange.ts';
import { makeKey, type TestKey } from '../helpers/keys.ts';

let key: TestKey;
beforeAll(async () => {
  key = await makeKey('de-bafa-1');
});

const BODY = { licenseId: 'DE-1', status: 'suspended', reason: 'r' } as const;

async function answer(plan: Plan, opts: { rotateAfterFirstRead?: boolean } = {}) {
  const ex = await fakeExchange(() => plan, opts);
  const client = new CorridorClient('http://127.0.0.1:1', { agencyId: 'DE-BAFA', privateJwk: key.privateJwk }, { fetch: ex.fetch, retry: { maxAttempts: 1 } });
  return { ex, result: client.call('license.status', BODY) };
}

const untrusted = (message: RegExp) => expect.objectContaining({ name: 'UntrustedResponseError', message: expect.stringMatching(message) });

describe('CorridorClient answer verification', () => {
  it('accepts a genuine answer', async () => {
    const { result } = await answer({ status: 200 });
    await expect(result).resolves.toMatchObject({ status: 200, auditId: 'ev-1', result: { licenseId: 'DE-1' } });
  });

  it('refuses a kid that is in the JWKS but not a response key (the seal key), after re-reading the configuration once', async () => {
    const { ex, result } = await answer({ status: 200, signer: 'seal' });
    await expect(result).rejects.toEqual(untrusted(/kid 'seal-1', not a response key/));
    expect(ex.configReads()).toBe(2);
  });

  it('accepts a response key rotated in after the configuration was read', async () => {
    const { result } = await answer({ status: 200, signer: 'rotated' }, { rotateAfterFirstRead: true });
    await expect(result).resolves.toMatchObject({ status: 200 });
  });

  it('refuses a bad signature (another key under the response kid)', async () => {
    const { result } = await answer({ status: 200, signer: 'impostor' });
    await expect(result).rejects.toEqual(untrusted(/signature does not verify/));
  });

  it('refuses another typ (a seal or a request cannot pose as an answer)', async () => {
    const { result } = await answer({ status: 200, typ: 'corridor-seal+jws' });
    await expect(result).rejects.toEqual(untrusted(/typ/));
  });

  it.each([
    ['aud of another agency', (c: Record<string, unknown>) => ({ ...c, aud: 'NL-DOUANE' }), /another agency \(aud\)/],
    ['no aud on a success', ({ aud: _, ...c }: Record<string, unknown>) => c, /another agency \(aud\)/],
    ['irt of another request', (c: Record<string, unknown>) => ({ ...c, irt: 'someone-elses-jti-000' }), /another request \(irt\)/],
    ['no irt on a success', ({ irt: _, ...c }: Record<string, unknown>) => c, /another request \(irt\)/],
    ['rqd of other bytes', (c: Record<string, unknown>) => ({ ...c, rqd: 'AAAA' }), /another request \(rqd\)/],
    ['iss of another exchange', (c: Record<string, unknown>) => ({ ...c, iss: 'corridor:elsewhere' }), /iss/],
    ['status other than the HTTP status', (c: Record<string, unknown>) => ({ ...c, status: 201 }), /status/],
    ['a success without a result', ({ result: _, ...c }: Record<string, unknown>) => c, /without a result/],
  ])('refuses %s', async (_name, claims, message) => {
    const { result } = await answer({ status: 200, claims });
    await expect(result).rejects.toEqual(untrusted(message));
  });

  it('a refusal may lack aud and irt (the exchange could not authenticate the request), but what it carries must match', async () => {
    const bare = await answer({ status: 401, claims: ({ aud: _a, irt: _i, ...c }) => c });
    await expect(bare.result).resolves.toMatchObject({ status: 401, problem: { status: 401 } });
    const wrong = await answer({ status: 401, claims: (c) => ({ ...c, aud: 'NL-DOUANE' }) });
    await expect(wrong.result).rejects.toBeInstanceOf(UntrustedResponseError);
  });

  it('refuses an answer that is not a JWS, or unsigned', async () => {
    const ex = await fakeExchange(() => ({ status: 200 }));
    const client = new CorridorClient('http://127.0.0.1:1', { agencyId: 'DE-BAFA', privateJwk: key.privateJwk }, { fetch: ex.fetch });
    await expect(client.verifyAnswer(200, 'application/jose', 'not a jws', new Uint8Array())).rejects.toEqual(untrusted(/not a JWS/));
    await expect(client.verifyAnswer(200, 'application/json', '{}', new Uint8Array())).rejects.toEqual(untrusted(/unsigned answer/));
  });
});
