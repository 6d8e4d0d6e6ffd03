// CorridorClient accepts an answer only when it is the exchange's, for this request and this
// agency (protocol.md §3, "Accepting an answer"): every way an answer can be spoiled is refused
// with UntrustedResponseError, and every answer the real exchange gives is accepted.
import { createHash } from 'node:crypto';
import { CompactSign, decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorridorClient, UntrustedResponseError } from '../../lambdas/client/corridor-client.ts';
import { PROTOCOL_VERSION } from '../../lambdas/client/response-check.ts';
import { signRequest } from '../../lambdas/client/signing.ts';
import { configuration, exchangeJwks, PROTOCOL_VERSION as EXCHANGE_PROTOCOL_VERSION } from '../../lambdas/core/discovery.ts';
import { actionForPath } from '../../lambdas/core/routes.ts';
import { fakeExchange, type Plan } from '../helpers/fake-exchange.ts';
import { makeKey, type TestKey } from '../helpers/keys.ts';
import { EXCHANGE_ID, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';

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

// The rule of protocol.md §3 "Accepting an answer" against the real core (memory adapters): what the exchange
// really answers before authentication (413, 415, a parse failure, a bad signature) is accepted without aud or irt;
// answers forged under the exchange's genuine response key show every other step refusing.
describe('the §3 acceptance rule against what the exchange really answers', () => {
  let x: TestExchange;
  let cfgPatch: Record<string, unknown> = {};
  let douane: TestAgency;
  let client: CorridorClient;
  const BASE = 'http://exchange.test';

  /** fetch onto the core itself: discovery documents and every action route. */
  const coreFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const json = (v: unknown): Response => new Response(JSON.stringify(v), { status: 200, headers: { 'content-type': 'application/json' } });
    if (path === '/.well-known/corridor-configuration') return json({ ...(await configuration(x.services, BASE)), ...cfgPatch });
    if (path === '/.well-known/jwks.json') return json(await exchangeJwks(x.services));
    const route = actionForPath(path);
    if (!route || init?.method !== 'POST') return new Response('{}', { status: 404, headers: { 'content-type': 'application/json' } });
    const a = await x.exchange.handle({ act: route.act, contentType: new Headers(init.headers).get('content-type') ?? undefined, body: Buffer.from(init.body as Uint8Array), sourceIp: '127.0.0.1', requestId: 'r' });
    return new Response(a.body, { status: a.status, headers: { 'content-type': a.contentType } });
  };

  beforeAll(async () => {
    x = await TestExchange.create();
    Object.defineProperty(x, 'time', { get: () => Date.now(), set: () => {} }); // the client signs with iat = now
    douane = await x.agency('NL-DOUANE', ['customs']);
    client = new CorridorClient(BASE, { agencyId: douane.agencyId, privateJwk: douane.privateJwk }, { fetch: coreFetch, retry: { maxAttempts: 1 } });
  });

  const ROUTE = '/v1/licenses/verify';
  const VERIFY = { issuer: 'DE-BAFA', licenseId: 'DE-1', shipment: { date: '2026-11-22', destinationCountry: 'SG', items: [{ controlCode: '6A003', quantity: 1 }] } };
  const claimsOf = (jws: string): Record<string, unknown> => decodeJwt(jws) as Record<string, unknown>;
  const signed = (): Promise<{ jws: string; jti: string }> => signRequest(douane, EXCHANGE_ID, 'license.verify', VERIFY);

  it('a signed 415 (wrong media type) carries neither aud nor irt, and is accepted', async () => {
    const { jws, jti } = await signed();
    const a = await client.send(ROUTE, jws, jti, 'application/json');
    expect(a).toMatchObject({ status: 415, problem: { type: 'urn:corridor:problem:unsupported-media-type', status: 415 } });
    expect(claimsOf(a.jws)).not.toHaveProperty('aud');
    expect(claimsOf(a.jws)).not.toHaveProperty('irt');
  });

  it('a signed 413 (body over 256 KiB) carries neither aud nor irt, and is accepted', async () => {
    const { jws, jti } = await signed();
    const a = await client.send(ROUTE, `${jws}${' '.repeat(256 * 1024)}`, jti);
    expect(a).toMatchObject({ status: 413, problem: { type: 'urn:corridor:problem:body-too-large' } });
    expect(Object.keys(claimsOf(a.jws)).filter((k) => k === 'aud' || k === 'irt')).toEqual([]);
  });

  it('a signed 400 for a body that does not parse (not a JWS; duplicate members) carries neither, and is accepted', async () => {
    const notJws = await client.send(ROUTE, 'not a compact JWS', 'a-jti-we-never-sent-0');
    expect(notJws).toMatchObject({ status: 400, problem: { type: 'urn:corridor:problem:malformed-request' } });
    expect(claimsOf(notJws.jws)).not.toHaveProperty('irt');
    const b64 = (s: string): string => Buffer.from(s).toString('base64url');
    const dup = await client.send(ROUTE, `${b64('{"alg":"ES256","alg":"ES256","kid":"k","typ":"corridor-request+jws"}')}.${b64('{}')}.AA`);
    expect(dup).toMatchObject({ status: 400, problem: { type: 'urn:corridor:problem:duplicate-member' } });
    expect(claimsOf(dup.jws)).not.toHaveProperty('aud');
  });

  it('a 401 before the signature verified carries irt (the jti could be read) but no aud, and is accepted', async () => {
    const { jws, jti } = await signed();
    const [h, p, s] = jws.split('.') as [string, string, string];
    const a = await client.send(ROUTE, `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`, jti);
    expect(a).toMatchObject({ status: 401, problem: { type: 'urn:corridor:problem:signature-invalid' } });
    expect(claimsOf(a.jws)).toMatchObject({ irt: jti });
    expect(claimsOf(a.jws)).not.toHaveProperty('aud');
  });

  it('after authentication every answer carries both: a 403 (role), a 404 (action) and a 200 are accepted with aud and irt', async () => {
    const forbidden = await client.callUntyped('license.publish', { document: 'a.b.c' });
    expect(forbidden).toMatchObject({ status: 403, problem: { type: 'urn:corridor:problem:role-forbidden' } });
    expect(claimsOf(forbidden.jws)).toMatchObject({ aud: 'NL-DOUANE', irt: expect.any(String) });
    const unknownKid = await client.call('agency.keys', { retire: ['no-such-kid'] });
    expect(unknownKid).toMatchObject({ status: 404, problem: { type: 'urn:corridor:problem:not-found' } });
    expect(claimsOf(unknownKid.jws)).toMatchObject({ aud: 'NL-DOUANE', irt: expect.any(String) });
    const extra = await makeKey('nl-douane-2');
    const added = await client.callUntyped('agency.keys', { add: [{ kid: extra.kid, jwk: extra.publicJwk }] });
    expect(added.status).toBe(200);
    expect(claimsOf(added.jws)).toMatchObject({ aud: 'NL-DOUANE', irt: expect.any(String) });
  });

  /** An answer under the exchange's genuine response key, for bytes we say we sent. */
  async function forged(status: number, claims: (c: Record<string, unknown>) => Record<string, unknown>, header: Record<string, unknown> = {}) {
    const sent = Buffer.from('the bytes we sent');
    const key = await x.services.responseKeys.signingKey();
    const ok = status < 300;
    const base = { iss: EXCHANGE_ID, aud: 'NL-DOUANE', iat: x.nowSeconds(), jti: 'response-jti-0000000', irt: 'our-jti-000000000000', rqd: createHash('sha256').update(sent).digest('base64url'), status, auditId: `ev-${'A'.repeat(43)}`, ...(ok ? { result: { ok: true } } : { problem: { type: 'urn:corridor:problem:x', title: 'x', status, detail: 'x' } }) };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims(base)))).setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'corridor-response+jws', ...header }).sign(key.key);
    return client.verifyAnswer(status, 'application/jose', jws, sent, 'our-jti-000000000000');
  }
  const bare = ({ aud: _a, irt: _i, ...c }: Record<string, unknown>): Record<string, unknown> => c;
  const noAud = ({ aud: _a, ...c }: Record<string, unknown>): Record<string, unknown> => c;

  it('accepts the genuine shapes: a success with both, a pre-authentication refusal without them', async () => {
    await expect(forged(200, (c) => c)).resolves.toMatchObject({ status: 200 });
    for (const status of [400, 401, 413, 415, 503]) await expect(forged(status, bare), String(status)).resolves.toMatchObject({ status, problem: { status } });
  });

  it('refuses a 200 without aud and irt, or with a wrong irt', async () => {
    await expect(forged(200, bare)).rejects.toEqual(untrusted(/aud/));
    await expect(forged(201, (c) => ({ ...c, irt: 'someone-elses-jti-00' }))).rejects.toEqual(untrusted(/another request \(irt\)/));
    await expect(forged(401, (c) => ({ ...c, irt: 'someone-elses-jti-00' }))).rejects.toEqual(untrusted(/another request \(irt\)/));
  });

  it.each([403, 404, 409, 429])('refuses a %i without aud: it comes after authentication', async (status) => {
    await expect(forged(status, noAud)).rejects.toEqual(untrusted(new RegExp(`a ${status} comes after authentication`)));
    await expect(forged(status, ({ irt: _, ...c }) => c)).rejects.toEqual(untrusted(/must carry aud and irt/));
  });

  it('refuses a header with a member beyond alg, kid and typ, a status the exchange never gives, and a problem of another status', async () => {
    await expect(forged(200, (c) => c, { jku: 'https://attacker.example/jwks' })).rejects.toEqual(untrusted(/not exactly alg, kid and typ/));
    await expect(forged(500, (c) => c)).rejects.toEqual(untrusted(/500 is not one the exchange gives/));
    await expect(forged(409, (c) => ({ ...c, problem: { type: 'urn:corridor:problem:x', title: 'x', status: 404, detail: 'x' } }))).rejects.toEqual(untrusted(/problem status/));
    await expect(forged(200, (c) => ({ ...c, problem: { type: 'urn:corridor:problem:x', title: 'x', status: 200, detail: 'x' } }))).rejects.toEqual(untrusted(/without a result/));
  });

  it('will not talk to an exchange of another protocol version', async () => {
    cfgPatch = { protocolVersion: 'corridor/2' };
    try {
      const other = new CorridorClient(BASE, { agencyId: douane.agencyId, privateJwk: douane.privateJwk }, { fetch: coreFetch });
      await expect(other.discover()).rejects.toEqual(untrusted(/speaks protocol corridor\/2; this client implements corridor\/1/));
    } finally {
      cfgPatch = {};
    }
    expect(PROTOCOL_VERSION).toBe(EXCHANGE_PROTOCOL_VERSION);
  });
});
