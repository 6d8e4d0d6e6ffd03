// Replay and time-window attacks (protocol.md §2 claims table; decisions "Order of checks" 5–8, 11 and
// "Replay guard"). A replayed jti changes nothing, whatever else differs in the bytes.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedEventId } from '../../lambdas/core/audit.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { makeKey } from '../helpers/keys.ts';
import { publish, shipment } from '../helpers/licenses.ts';
import { EXCHANGE_ID, TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { rawJws } from '../helpers/raw-jws.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { claims, hdr, malleateEs256, newJti, request, signatureOf, signedBy, withSignature } from './kit.ts';
import { expectNoPlaintextAtRest } from './at-rest.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;
let zoll: TestAgency;
let fr: TestAgency;

const ACT: ActionName = 'agreement.put';
const grantBody = (partner: string, permissions: string[]) => ({ partner, documentType: 'license', permissions });

beforeAll(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  zoll = await x.agency('AT-ZOLL', ['customs']);
  fr = await x.agency('FR-SBDU', ['licensing']);
  expect((await publish(x, bafa)).status).toBe(201);
  expect((await x.call(bafa, ACT, { partner: 'AT-ZOLL', documentType: 'license', permissions: ['verify', 'drawdown'] })).status).toBe(201);
});

const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const grantOf = async (partner: string) => (await x.store.get('registry', 'AGENCY#DE-BAFA', `GRANT#license#${partner}`))?.attrs.permissions ?? null;

describe('replays', () => {
  it('an exact resend of an old grant, after it was withdrawn, is 401 request-replayed and does not restore it', async () => {
    const grant = request(x, bafa, ACT, grantBody('NL-DOUANE', ['verify', 'read']));
    expect((await x.send(ACT, grant)).status).toBe(201);
    expect((await x.call(bafa, ACT, grantBody('NL-DOUANE', []))).status).toBe(200);
    expect(await grantOf('NL-DOUANE')).toBeNull();
    await refused(() => x.send(ACT, grant), 401, 'request-replayed');
    expect(await grantOf('NL-DOUANE')).toBeNull();
  });

  it('a resend with a malleated ES256 signature (s → n − s, same jti) is 401 request-replayed and changes nothing', async () => {
    const jws = request(x, bafa, ACT, grantBody('NL-DOUANE', ['verify']));
    expect((await x.send(ACT, jws)).status).toBe(201);
    expect((await x.call(bafa, ACT, grantBody('NL-DOUANE', []))).status).toBe(200);
    const twin = withSignature(jws, malleateEs256(signatureOf(jws)));
    expect(twin).not.toBe(jws);
    // the twin is a genuinely valid signature of the same input: only the jti can stop it
    const [h, p] = jws.split('.');
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: bafa.key.publicJwk as JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, signatureOf(twin))).toBe(true);
    await refused(() => x.send(ACT, twin), 401, 'request-replayed');
    expect(await grantOf('NL-DOUANE')).toBeNull();
  });

  it('other byte-level twins of an accepted request (non-canonical base64url, surrounding white space) are 401 request-replayed', async () => {
    const jws = request(x, bafa, ACT, grantBody('NL-DOUANE', ['verify']));
    expect((await x.send(ACT, jws)).status).toBe(201);
    expect((await x.call(bafa, ACT, grantBody('NL-DOUANE', []))).status).toBe(200);
    // ES256: 64 bytes = 86 base64url chars, the last carrying 4 unused bits
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = jws.at(-1)!;
    const sameBytes = `${jws.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    expect(signatureOf(sameBytes).equals(signatureOf(jws))).toBe(true);
    for (const twin of [sameBytes, ` ${jws}`, `${jws}\r\n`, `\t${jws}\n`]) {
      await refused(() => x.send(ACT, twin), 401, 'request-replayed');
    }
    expect(await grantOf('NL-DOUANE')).toBeNull();
  });

  it('five concurrent copies of one drawdown: exactly one is accepted, four are 401 request-replayed, one drawdown recorded', async () => {
    const body = { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'AT-DECL-CONC-1', date: '2026-11-22', items: [{ line: 1, quantity: 3 }] };
    const jws = request(x, zoll, 'license.drawdown', body);
    const before = x.auditEvents().length;
    const answers = await Promise.all(Array.from({ length: 5 }, () => x.send('license.drawdown', jws)));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 401, 401, 401, 401]);
    for (const a of answers.filter((a) => a.status === 401)) expect(a.problem.type).toBe('urn:corridor:problem:request-replayed');
    expect(x.auditEvents().length).toBe(before + 5);
    const dd = await x.call(bafa, 'license.drawdowns', { licenseId: 'DE-2026-000123' });
    expect((dd.result.drawdowns as { declarationId: string }[]).filter((d) => d.declarationId === 'AT-DECL-CONC-1')).toHaveLength(1);
    const v = await x.call(zoll, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() });
    expect((v.result.lines as { line: number; remaining: number }[]).find((l) => l.line === 1)!.remaining).toBe(37);
  });

  it('a jti is unique per issuer across actions: reusing it on another action is 401 request-replayed', async () => {
    const jti = newJti();
    expect((await x.send(ACT, request(x, bafa, ACT, grantBody('NL-DOUANE', ['verify']), { jti }))).status).toBe(201);
    await refused(() => x.send('license.status', request(x, bafa, 'license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: 'replay test' }, { jti })), 401, 'request-replayed');
    expect((await x.call(bafa, ACT, grantBody('NL-DOUANE', []))).status).toBe(200);
  });

  it('the same jti used by another issuer is not a replay (jti is unique per iss)', async () => {
    const jti = newJti();
    expect((await x.send(ACT, request(x, bafa, ACT, grantBody('NL-DOUANE', ['verify']), { jti }))).status).toBe(201);
    const a = await x.send(ACT, request(x, fr, ACT, grantBody('NL-DOUANE', ['verify']), { jti }));
    expect(a.status).toBe(201);
    expect(a.claims.auditId).toBe(acceptedEventId('FR-SBDU', jti));
    expect((await x.call(bafa, ACT, grantBody('NL-DOUANE', []))).status).toBe(200);
    expect((await x.call(fr, ACT, grantBody('NL-DOUANE', []))).status).toBe(200);
  });

  it('a replay outranks the 403 of a suspension that happened meanwhile (decisions, step 11)', async () => {
    const sus = await x.agency('BE-FPS', ['licensing']);
    const jws = request(x, sus, ACT, grantBody('NL-DOUANE', ['verify']));
    expect((await x.send(ACT, jws)).status).toBe(201);
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'BE-FPS', status: 'suspended' })).status).toBe(200);
    await refused(() => x.send(ACT, jws), 401, 'request-replayed');
    await refused(() => x.call(sus, ACT, grantBody('NL-DOUANE', [])), 403, 'agency-suspended');
  });

  it('a replay posted to another route is 401 action-mismatch, and still changes nothing', async () => {
    const jws = request(x, bafa, ACT, grantBody('NL-DOUANE', ['verify']));
    expect((await x.send(ACT, jws)).status).toBe(201);
    await refused(() => x.send('license.status', jws), 401, 'action-mismatch');
    expect((await x.call(bafa, ACT, grantBody('NL-DOUANE', []))).status).toBe(200);
  });
});

describe('time windows (iat ≤ now + 60; iat < exp ≤ iat + 300; now ≤ exp + 60)', () => {
  const send = (over: Record<string, unknown>) => x.send(ACT, signedBy(bafa, hdr(bafa), claims(x, bafa, ACT, grantBody('NL-DOUANE', []), over)));
  const now = () => x.nowSeconds();

  it.each([
    ['iat = now + 60, exp = iat + 1', () => ({ iat: now() + 60, exp: now() + 61 })],
    ['iat = now − 300, exp = now (lifetime exactly 300)', () => ({ iat: now() - 300, exp: now() })],
    ['iat = now − 360, exp = now − 60 (expiry exactly at the skew)', () => ({ iat: now() - 360, exp: now() - 60 })],
    ['exp = iat + 1', () => ({ iat: now(), exp: now() + 1 })],
    ['iat written with an exponent (an integer all the same)', () => ({ iat: now(), exp: now() + 100 })],
  ])('accepted at the boundary: %s', async (name, over) => {
    const c = over();
    const text = name.includes('exponent') ? JSON.stringify(claims(x, bafa, ACT, grantBody('NL-DOUANE', []), c)).replace(`"iat":${c.iat}`, `"iat":${c.iat / 1000}e3`) : undefined;
    const a = text ? await x.send(ACT, signedBy(bafa, hdr(bafa), text)) : await send(c);
    expect([a.status, a.problem]).toEqual([200, undefined]);
  });

  it.each([
    ['future iat: now + 61', () => ({ iat: now() + 61, exp: now() + 62 })],
    ['future iat: now + 1 day', () => ({ iat: now() + 86_400, exp: now() + 86_500 })],
    ['iat far past, exp in the window (lifetime 1 hour)', () => ({ iat: now() - 3600, exp: now() + 10 })],
    ['iat = 0, exp = now', () => ({ iat: 0, exp: now() })],
    ['iat negative', () => ({ iat: -1, exp: now() })],
    ['exp = iat + 301 (iat in the past)', () => ({ iat: now() - 200, exp: now() + 101 })],
    ['exp = iat + 301 (iat now)', () => ({ iat: now(), exp: now() + 301 })],
    ['exp = iat', () => ({ iat: now() - 10, exp: now() - 10 })],
    ['exp < iat', () => ({ iat: now(), exp: now() - 1 })],
    ['expired one second past the skew (exp = now − 61, lifetime 300)', () => ({ iat: now() - 361, exp: now() - 61 })],
    ['iat as a string', () => ({ iat: String(now()), exp: now() + 100 })],
    ['exp as a string', () => ({ iat: now(), exp: String(now() + 100) })],
    ['iat with a fraction', () => ({ iat: now() + 0.5, exp: now() + 100 })],
    ['iat in milliseconds', () => ({ iat: x.time, exp: x.time + 100_000 })],
    ['iat beyond 2^53', () => ({ iat: 2 ** 53 + 2, exp: 2 ** 53 + 100 })],
    ['iat null', () => ({ iat: null, exp: now() + 100 })],
    ['exp true', () => ({ iat: now(), exp: true })],
    ['iat as an array', () => ({ iat: [now()], exp: now() + 100 })],
  ])('%s → 401 claims-invalid', async (_n, over) => {
    await refused(() => send(over()), 401, 'claims-invalid');
  });

  it('exp written as a huge number literal (1e400) → 401 claims-invalid', async () => {
    const text = JSON.stringify(claims(x, bafa, ACT, grantBody('NL-DOUANE', []), { exp: 12345 })).replace('"exp":12345', '"exp":1e400');
    await refused(() => x.send(ACT, signedBy(bafa, hdr(bafa), text)), 401, 'claims-invalid');
  });

  it('a request that was fresh when signed is refused once the clock passes exp + 60, without consuming its jti', async () => {
    // its own exchange: moving the clock would reorder the shared exchange's audit events
    const y = await TestExchange.create();
    const de = await y.agency('DE-BAFA', ['licensing']);
    await y.agency('NL-DOUANE', ['customs']);
    const jti = newJti();
    const stale = signedBy(de, hdr(de), claims(y, de, ACT, grantBody('NL-DOUANE', ['verify']), { jti, iat: y.nowSeconds(), exp: y.nowSeconds() + 30 }));
    y.time += 91_000;
    await expectRefusal(y, () => y.send(ACT, stale), 401, 'claims-invalid');
    expect(await y.store.get('audit', acceptedEventId('DE-BAFA', jti))).toBeNull();
    // at exp + 60 exactly it would still have been accepted
    const fresh = signedBy(de, hdr(de), claims(y, de, ACT, grantBody('NL-DOUANE', ['verify']), { iat: y.nowSeconds() - 90, exp: y.nowSeconds() - 60 }));
    expect((await y.send(ACT, fresh)).status).toBe(201);
  });
});

describe('aud', () => {
  it.each([
    ['an array holding the exchange id', [EXCHANGE_ID]],
    ['an array of two', [EXCHANGE_ID, 'corridor:other']],
    ['different case', EXCHANGE_ID.toUpperCase()],
    ['a trailing slash', `${EXCHANGE_ID}/`],
    ['a trailing space', `${EXCHANGE_ID} `],
    ['a trailing NUL', `${EXCHANGE_ID}\u0000`],
    ['a URL form', `https://${EXCHANGE_ID}`],
    ['null', null],
    ['empty', ''],
    ['an object', { aud: EXCHANGE_ID }],
    ['a prefix', EXCHANGE_ID.slice(0, -1)],
  ])('aud that is %s → 401 claims-invalid', async (_n, aud) => {
    const a = await (async () => {
      let ans!: Answer;
      await refused(async () => (ans = await x.send(ACT, signedBy(bafa, hdr(bafa), claims(x, bafa, ACT, grantBody('NL-DOUANE', []), { aud })))), 401, 'claims-invalid');
      return ans;
    })();
    expect(a.claims.aud).toBe('DE-BAFA'); // the signature verified: the answer is addressed to the caller
  });

  it('aud missing → 401 claims-invalid', async () => {
    const { aud: _aud, ...rest } = claims(x, bafa, ACT, grantBody('NL-DOUANE', []));
    await refused(() => x.send(ACT, signedBy(bafa, hdr(bafa), rest)), 401, 'claims-invalid');
  });
});

describe('issuer and key', () => {
  it('an unregistered issuer (its own key, a kid it chose to look like a real one) → 401 unknown-issuer, no actor', async () => {
    const ghost = await makeKey('de-bafa-1');
    let a!: Answer;
    await refused(async () => (a = await x.send(ACT, rawJws(ghost.privateJwk, { alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-request+jws' }, { ...claims(x, bafa, ACT, grantBody('NL-DOUANE', [])), iss: 'ZZ-GHOST' }))), 401, 'unknown-issuer');
    expect(a.claims.aud).toBeUndefined();
    const ev = x.auditEvents().find((e) => e.id === a.claims.auditId)!;
    expect(ev.actor).toBeUndefined();
    expect(ev.claimedIssuer).toBe('ZZ-GHOST');
  });

  it.each([
    ['lower case of a registered id', 'de-bafa'],
    ['a trailing space', 'DE-BAFA '],
    ['a number', 42],
    ['an array', ['DE-BAFA']],
    ['null', null],
  ])('iss that is %s → 401 (never matched to the registered agency)', async (_n, iss) => {
    // not an agency id at all: refused as a claim, before any registry lookup
    await refused(() => x.send(ACT, signedBy(bafa, hdr(bafa), { ...claims(x, bafa, ACT, grantBody('NL-DOUANE', [])), iss })), 401, 'claims-invalid');
  });

  it('a suspended issuer → 403 agency-suspended, for every action, and it cannot add itself a key', async () => {
    const sus = await x.agency('PL-DUCZ', ['licensing']);
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'PL-DUCZ', status: 'suspended' })).status).toBe(200);
    const extra = await makeKey('pl-ducz-2');
    await refused(() => x.call(sus, ACT, grantBody('NL-DOUANE', ['verify'])), 403, 'agency-suspended');
    await refused(() => x.call(sus, 'agency.keys', { add: [{ kid: extra.kid, jwk: extra.publicJwk }] }), 403, 'agency-suspended');
    await refused(() => x.call(sus, 'license.drawdowns', { licenseId: 'X-1' }), 403, 'agency-suspended');
    // suspension outranks the role check too (step 8 before 9): it learns nothing about what it may do
    await refused(() => x.call(sus, 'audit.query', {}), 403, 'agency-suspended');
    const ev = x.auditEvents().at(-1)!;
    expect(ev.actor).toBe('PL-DUCZ'); // authenticated, then refused
  });

  it('another agency signs with its own key and kid, claiming iss = DE-BAFA → 401 key-not-usable, no actor', async () => {
    let a!: Answer;
    await refused(async () => (a = await x.send(ACT, signedBy(douane, hdr(douane), claims(x, bafa, ACT, grantBody('NL-DOUANE', ['verify', 'read', 'drawdown']))))), 401, 'key-not-usable');
    expect(a.claims.aud).toBeUndefined();
    expect(x.auditEvents().find((e) => e.id === a.claims.auditId)!.actor).toBeUndefined();
  });

  it('DE-BAFA names NL-DOUANE as issuer and signs with its own key under its own kid → 401 key-not-usable', async () => {
    await refused(() => x.send('license.verify', signedBy(bafa, hdr(bafa), claims(x, douane, 'license.verify', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment() }))), 401, 'key-not-usable');
  });

  it('the key-not-usable answer is the same for an unknown kid and another agency\'s kid (no oracle)', async () => {
    const a = await x.send(ACT, signedBy(bafa, hdr(bafa, { kid: 'nl-douane-1' }), claims(x, bafa, ACT, grantBody('NL-DOUANE', []))));
    const b = await x.send(ACT, signedBy(bafa, hdr(bafa, { kid: 'no-such-kid' }), claims(x, bafa, ACT, grantBody('NL-DOUANE', []))));
    expect([a.status, a.problem.type, a.problem.title]).toEqual([b.status, b.problem.type, b.problem.title]);
    expect(a.problem.detail.replace('nl-douane-1', 'K')).toBe(b.problem.detail.replace('no-such-kid', 'K'));
  });
});

// Whatever this file threw at the exchange, no trade data reached storage in the clear.
afterAll(() => expectNoPlaintextAtRest(x));
