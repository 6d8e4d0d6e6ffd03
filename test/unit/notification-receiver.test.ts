// The reference receiver (bin/cli/notification-receiver.ts, `corridor notifications listen`) and verifyNotification
// of the client package: a genuine notification is accepted once and its duplicate answered 204 without a second
// hand-off; anything forged, altered or addressed elsewhere is answered 400 and never handed on.
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../bin/cli/notification-receiver.ts';
import { NotificationRejected, verifyNotification, type NotificationTrust } from '../../lambdas/client/notification-check.ts';
import { configuration, exchangeJwks } from '../../lambdas/core/discovery.ts';
import { publish } from '../helpers/licenses.ts';
import { NotifyHarness } from '../helpers/notify-harness.ts';

let h: NotifyHarness;
let trust: NotificationTrust;
let genuine: string;

const payloadOf = (jws: string): Record<string, unknown> => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** A JWS over `claims` with `header`, signed by a key that is not the exchange's. */
async function forged(header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header as never).sign(privateKey);
}

beforeAll(async () => {
  h = await NotifyHarness.create();
  const bafa = await h.x.agency('DE-BAFA', ['licensing']);
  const nl = await h.x.agency('NL-DOUANE', ['customs']);
  await h.x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
  await h.x.call(nl, 'subscription.put', { endpoint: 'http://127.0.0.1:9/hook', events: ['license.status'] });
  await publish(h.x, bafa);
  await h.x.call(bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'r' });
  await h.pump();
  genuine = h.poster.posts[0]!.body;
  const cfg = (await configuration(h.x.services, 'http://127.0.0.1')) as { exchangeId: string; responseKeyIds: string[] };
  trust = { exchangeId: cfg.exchangeId, responseKeyIds: cfg.responseKeyIds, jwks: (await exchangeJwks(h.x.services)) as NotificationTrust['jwks'] };
});

describe('verifyNotification', () => {
  it('accepts the genuine notification for its receiver', async () => {
    expect(await verifyNotification(genuine, trust, 'NL-DOUANE')).toMatchObject({ aud: 'NL-DOUANE', evt: 'license.status', iss: 'corridor:test' });
  });

  it.each([
    ['another receiver', async () => genuine, 'FR-DGDDI', 'aud is not FR-DGDDI'],
    ['a kid outside responseKeyIds', async () => forged({ alg: 'ES256', kid: 'rsp-other', typ: 'corridor-notification+jws' }, payloadOf(genuine)), 'NL-DOUANE', "unknown kid: not among the exchange's responseKeyIds"],
    ['another key under the exchange kid', async () => forged({ alg: 'ES256', kid: trust.responseKeyIds[0], typ: 'corridor-notification+jws' }, payloadOf(genuine)), 'NL-DOUANE', "signature does not verify under the exchange's response key"],
    ['a response typ', async () => forged({ alg: 'ES256', kid: trust.responseKeyIds[0], typ: 'corridor-response+jws' }, payloadOf(genuine)), 'NL-DOUANE', 'protected header is not exactly {alg: ES256, kid, typ: corridor-notification+jws}'],
    ['an extra header member', async () => forged({ alg: 'ES256', kid: trust.responseKeyIds[0], typ: 'corridor-notification+jws', jku: 'https://evil.example' }, payloadOf(genuine)), 'NL-DOUANE', 'protected header is not exactly {alg: ES256, kid, typ: corridor-notification+jws}'],
    ['an altered payload', async () => { const [a, , c] = genuine.split('.'); return `${a}.${Buffer.from(JSON.stringify({ ...payloadOf(genuine), data: { status: 'active' } })).toString('base64url')}.${c}`; }, 'NL-DOUANE', "signature does not verify under the exchange's response key"],
    ['not a JWS', async () => 'hello', 'NL-DOUANE', 'not a compact JWS'],
  ])('refuses %s', async (_what, jws, receiver, reason) => {
    await expect(verifyNotification(await jws(), trust, receiver)).rejects.toThrow(new NotificationRejected(reason));
  });
});

describe('the reference receiver', () => {
  it('answers 204 to the genuine one (and its duplicate, handed on once marked), 400 to a forgery, 415 to another type', async () => {
    const got: [string, boolean][] = [];
    const rejected: string[] = [];
    let refreshed = 0;
    const r = await startReceiver(0, {
      receiver: 'NL-DOUANE', trust: async () => trust, refresh: async () => { refreshed++; return trust; },
      onNotification: (c, duplicate) => got.push([c.jti, duplicate]), onRejected: (reason) => rejected.push(reason),
    });
    const jti = String(payloadOf(genuine).jti);
    const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/jose', 'webhook-id': jti }) =>
      fetch(`http://127.0.0.1:${r.port}/`, { method: 'POST', headers, body }).then((res) => res.status);
    try {
      expect(await post(genuine)).toBe(204);
      expect(await post(genuine)).toBe(204);
      expect(await post(genuine, { 'content-type': 'application/jose', 'webhook-id': 'ntf-other' })).toBe(400);
      expect(await post(await forged({ alg: 'ES256', kid: 'rsp-new', typ: 'corridor-notification+jws' }, payloadOf(genuine)))).toBe(400);
      expect(await post(genuine, { 'content-type': 'application/json', 'webhook-id': jti })).toBe(415);
      expect(got).toEqual([[jti, false], [jti, true]]);
      expect(rejected).toEqual(['webhook-id is not the jti', "unknown kid: not among the exchange's responseKeyIds", 'content-type must be application/jose']);
      expect(refreshed).toBe(1); // an unknown kid: the exchange's keys fetched once more before refusing
    } finally {
      await r.close();
    }
  });
});
