// protocol.md §2/§3: every envelope refusal has its status, a signed problem, one audit event, and changes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptedEventId } from '../../lambdas/core/audit.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { makeKey } from '../helpers/keys.ts';
import { EXCHANGE_ID, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { rawJws } from '../helpers/raw-jws.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;
let other: TestAgency;
const ACT: ActionName = 'agreement.put';
const BODY = { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] };

beforeAll(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  other = await x.agency('FR-DGDDI', ['licensing']);
  // bafa gets a retired and a revoked key besides its active one
  const retired = await makeKey('bafa-old');
  const revoked = await makeKey('bafa-bad');
  const add = await x.call(bafa, 'agency.keys', { add: [{ kid: retired.kid, jwk: retired.publicJwk }, { kid: revoked.kid, jwk: revoked.publicJwk }] });
  expect(add.status).toBe(200);
  expect((await x.call(bafa, 'agency.keys', { retire: ['bafa-old'], revoke: ['bafa-bad'] })).status).toBe(200);
  Object.assign(bafa, { retired, revoked });
});

function claims(over: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = x.nowSeconds();
  return { iss: 'DE-BAFA', aud: EXCHANGE_ID, iat, exp: iat + 120, jti: `jti-${Math.random().toString(36).slice(2)}-xyz`, act: ACT, body: BODY, ...over };
}
const hdr = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-request+jws', ...over });
const signed = (header: unknown, payload: unknown): string => rawJws(bafa.privateJwk, header, payload);

interface Case { name: string; status: number; slug: string; make: () => { body: string | Uint8Array; contentType?: string; act?: ActionName }; jti?: string }

const cases: Case[] = [
  { name: 'content type not application/jose', status: 415, slug: 'unsupported-media-type', make: () => ({ body: signed(hdr(), claims()), contentType: 'application/json' }) },
  { name: 'body over 256 KiB', status: 413, slug: 'body-too-large', make: () => ({ body: 'a'.repeat(256 * 1024 + 1) }) },
  { name: 'not a compact JWS', status: 400, slug: 'malformed-request', make: () => ({ body: 'hello.world' }) },
  { name: 'payload not UTF-8', status: 400, slug: 'malformed-request', make: () => ({ body: `${Buffer.from(JSON.stringify(hdr())).toString('base64url')}.${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.AAAA` }) },
  { name: 'payload not a JSON object', status: 400, slug: 'malformed-request', make: () => ({ body: signed(hdr(), '[1,2]') }) },
  { name: 'duplicate member in payload', status: 400, slug: 'duplicate-member', make: () => ({ body: signed(hdr(), JSON.stringify(claims()).replace('{', '{"act":"license.verify",')) }) },
  { name: 'duplicate member in body', status: 400, slug: 'duplicate-member', make: () => ({ body: signed(hdr(), JSON.stringify(claims()).replace('"partner":', '"partner":"FR-DGDDI","partner":')) }) },
  { name: 'duplicate member in header', status: 400, slug: 'duplicate-member', make: () => ({ body: signed('{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-request+jws","typ":"corridor-request+jws"}', claims()) }) },
  { name: 'typ missing', status: 401, slug: 'header-invalid', make: () => ({ body: signed({ alg: 'ES256', kid: 'de-bafa-1' }, claims()) }) },
  { name: 'typ wrong', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ typ: 'JWT' }), claims()) }) },
  { name: 'typ of a license document', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ typ: 'corridor-license+jws' }), claims()) }) },
  { name: 'alg none', status: 401, slug: 'header-invalid', make: () => ({ body: `${Buffer.from(JSON.stringify(hdr({ alg: 'none' }))).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.` }) },
  { name: 'alg HS256', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ alg: 'HS256' }), claims()) }) },
  { name: 'alg not the key alg', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ alg: 'EdDSA' }), claims()) }) },
  { name: 'embedded jwk', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ jwk: bafa.key.publicJwk }), claims()) }) },
  { name: 'jku', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ jku: 'https://evil.example/jwks' }), claims()) }) },
  { name: 'x5c', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ x5c: ['MIIB'] }), claims()) }) },
  { name: 'crit', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ crit: ['exp'] }), claims()) }) },
  { name: 'b64 false', status: 401, slug: 'header-invalid', make: () => ({ body: signed(hdr({ b64: false }), claims()) }) },
  { name: 'unknown issuer', status: 401, slug: 'unknown-issuer', make: () => ({ body: signed(hdr(), claims({ iss: 'ZZ-NOBODY' })) }) },
  { name: 'unknown kid', status: 401, slug: 'key-not-usable', make: () => ({ body: signed(hdr({ kid: 'nope' }), claims()) }) },
  { name: 'kid of another agency', status: 401, slug: 'key-not-usable', make: () => ({ body: signed(hdr({ kid: 'nl-douane-1' }), claims()) }) },
  { name: 'retired kid', status: 401, slug: 'key-not-usable', make: () => ({ body: rawJws((bafa as unknown as { retired: { privateJwk: object } }).retired.privateJwk, hdr({ kid: 'bafa-old' }), claims()) }) },
  { name: 'revoked kid', status: 401, slug: 'key-not-usable', make: () => ({ body: rawJws((bafa as unknown as { revoked: { privateJwk: object } }).revoked.privateJwk, hdr({ kid: 'bafa-bad' }), claims()) }) },
  { name: 'bad signature (another key)', status: 401, slug: 'signature-invalid', make: () => ({ body: rawJws(other.privateJwk, hdr(), claims()) }) },
  { name: 'bad signature (zeros)', status: 401, slug: 'signature-invalid', make: () => ({ body: signed(hdr(), claims()).replace(/\.[^.]+$/, `.${Buffer.alloc(64).toString('base64url')}`) }) },
  { name: 'wrong aud', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ aud: 'corridor:other' })) }) },
  { name: 'aud as array', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ aud: [EXCHANGE_ID] })) }) },
  { name: 'iat too far in the future', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ iat: x.nowSeconds() + 61, exp: x.nowSeconds() + 100 })) }) },
  { name: 'exp more than 300 s after iat', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ exp: x.nowSeconds() + 301 })) }) },
  { name: 'exp not after iat', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ exp: x.nowSeconds() })) }) },
  { name: 'expired beyond skew', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ iat: x.nowSeconds() - 300, exp: x.nowSeconds() - 61 })) }) },
  { name: 'jti too short', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ jti: 'short' })) }) },
  { name: 'unknown claim', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), claims({ roles: ['operator'] })) }) },
  { name: 'missing body claim', status: 401, slug: 'claims-invalid', make: () => ({ body: signed(hdr(), (({ body: _b, ...rest }) => rest)(claims())) }) },
  { name: 'act not the route', status: 401, slug: 'action-mismatch', make: () => ({ body: signed(hdr(), claims({ act: 'license.verify' })) }) },
  { name: 'role may not call the action', status: 403, slug: 'role-forbidden', make: () => ({ body: rawJws(douane.privateJwk, hdr({ kid: 'nl-douane-1' }), claims({ iss: 'NL-DOUANE', body: { ...BODY, partner: 'DE-BAFA' } })) }) },
  { name: 'body failing the schema', status: 400, slug: 'body-invalid', make: () => ({ body: signed(hdr(), claims({ body: { ...BODY, permissions: ['own'], extra: 1 } })) }) },
];

describe('request envelope refusals', () => {
  it.each(cases)('$name → $status $slug', async (c) => {
    const before = x.snapshot();
    const events = x.auditEvents().length;
    const m = c.make();
    const a = await x.send(m.act ?? ACT, m.body, m.contentType);
    expect(a.status).toBe(c.status);
    expect(a.header).toEqual({ alg: 'ES256', kid: expect.stringMatching(/^rsp-/), typ: 'corridor-response+jws' });
    expect(a.claims.status).toBe(c.status);
    expect(a.problem.type).toBe(`urn:corridor:problem:${c.slug}`);
    expect(a.problem.status).toBe(c.status);
    expect(a.problem.detail).toBeTypeOf('string');
    expect(a.claims.result).toBeUndefined();
    expect(a.claims.rqd).toBe(Buffer.from(await crypto.subtle.digest('SHA-256', typeof m.body === 'string' ? Buffer.from(m.body) : m.body)).toString('base64url'));
    // exactly one new audit event, a deny with the same code, and nothing else stored
    const after = x.auditEvents();
    expect(after.length).toBe(events + 1);
    const ev = after.find((e) => e.id === a.claims.auditId)!;
    expect(ev).toMatchObject({ decision: 'deny', status: c.status, code: c.slug, action: m.act ?? ACT });
    expect(x.snapshot()).toBe(before);
    // aud only once the signature verified; the actor likewise
    if (c.status === 401 && !['claims-invalid', 'action-mismatch'].includes(c.slug)) {
      expect(a.claims.aud).toBeUndefined();
      expect(ev.actor).toBeUndefined();
    }
  });

  it('body invalid lists JSON pointers, never values', async () => {
    const a = await x.send(ACT, signed(hdr(), claims({ body: { ...BODY, permissions: ['own'], extra: 'SECRET-VALUE' } })));
    expect(a.problem.errors).toEqual(expect.arrayContaining([{ pointer: '/body/extra', detail: 'unknown member (schemas are closed)' }, { pointer: '/body/permissions/0', detail: expect.any(String) }]));
    expect(JSON.stringify(a.problem)).not.toContain('SECRET-VALUE');
  });

  it('a reused jti is refused (401) and changes nothing; a refused request does not burn its jti', async () => {
    const jti = 'reuse-test-jti-0001';
    // first a refusal (schema) with this jti ...
    const refused = await x.send(ACT, signed(hdr(), claims({ jti, body: { ...BODY, permissions: ['nope'] } })));
    expect(refused.status).toBe(400);
    expect(await x.store.get('audit', acceptedEventId('DE-BAFA', jti))).toBeNull();
    // ... then the same jti is still usable ...
    const ok = await x.send(ACT, signed(hdr(), claims({ jti })));
    expect(ok.status).toBe(201);
    expect(ok.claims.auditId).toBe(acceptedEventId('DE-BAFA', jti));
    // ... and now consumed: an exact resend and a fresh signature with the same jti are refused
    const before = x.snapshot();
    const events = x.auditEvents().length;
    const replay = await x.send(ACT, signed(hdr(), claims({ jti, body: { ...BODY, permissions: ['verify', 'read'] } })));
    expect(replay.status).toBe(401);
    expect(replay.problem.type).toBe('urn:corridor:problem:request-replayed');
    expect(x.snapshot()).toBe(before);
    expect(x.auditEvents().length).toBe(events + 1);
    // a replay that would also be refused for another reason still says "replayed" (claims come first)
    const replay403 = await x.send(ACT, signed(hdr(), claims({ jti, body: { ...BODY, documentType: 'euc' } })));
    expect(replay403.status).toBe(401);
  });

  it('a suspended agency is refused with 403 and nothing changes', async () => {
    const sus = await x.agency('BE-FPS', ['licensing']);
    expect((await x.call(x.operator, 'agency.register', { agencyId: 'BE-FPS', status: 'suspended' })).status).toBe(200);
    const before = x.snapshot();
    const a = await x.call(sus, ACT, BODY);
    expect(a.status).toBe(403);
    expect(a.problem.type).toBe('urn:corridor:problem:agency-suspended');
    expect(x.snapshot()).toBe(before);
  });

  it('EdDSA keys sign requests too', async () => {
    const ed = await x.agency('IT-UAMA', ['licensing'], 'EdDSA');
    const a = await x.call(ed, ACT, BODY);
    expect(a.status).toBe(201);
    expect(a.claims.aud).toBe('IT-UAMA');
  });
});
