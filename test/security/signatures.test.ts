// Attacks on the JWS layer (protocol.md §2, decisions "Order of checks" 3–6): the message never
// chooses how it is checked. Every refusal: status, problem, one deny event, storage unchanged,
// and — since nothing here authenticates — no `aud` in the answer and no `actor` in the event.
import { createHmac, createPrivateKey, createPublicKey, sign, verify, type JsonWebKey } from 'node:crypto';
import { FlattenedSign, GeneralSign, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { sealNow } from '../helpers/audit.ts';
import { makeKey, type TestKey } from '../helpers/keys.ts';
import { eucDoc, licenseDoc } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { rawJws } from '../helpers/raw-jws.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { b64u, bigFromBytes, bytesFromBig, claims, ED25519_L, hdr, malleateEs256, P256_N, request, sealTolerant, signatureOf, signedBy, withSignature } from './kit.ts';
import { expectNoPlaintextAtRest } from './at-rest.ts';

let x: TestExchange;
let bafa: TestAgency; // ES256
let uama: TestAgency; // EdDSA
let mti: TestAgency;
let attackerEc: TestKey;
let attackerEd: TestKey;

const ACT: ActionName = 'agreement.put';
const BODY = { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] };

beforeAll(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  uama = await x.agency('IT-UAMA', ['licensing'], 'EdDSA');
  mti = await x.agency('SG-MTI', ['euc-issuer']);
  await x.agency('NL-DOUANE', ['customs']);
  attackerEc = await makeKey('de-bafa-1', 'ES256');
  attackerEd = await makeKey('de-bafa-1', 'EdDSA');
});

/** A refusal before (or at) the signature: nothing authenticated, so no aud and no actor. */
async function refusedUnauthenticated(send: () => Promise<Answer>, status: number, slug: string): Promise<Answer> {
  let answer!: Answer;
  await expectRefusal(x, async () => (answer = await send()), status, slug);
  expect(answer.claims.aud).toBeUndefined();
  expect(x.auditEvents().find((e) => e.id === answer.claims.auditId)!.actor).toBeUndefined();
  return answer;
}

const seg = (v: unknown): string => b64u(typeof v === 'string' ? v : JSON.stringify(v));
function hmacJws(secret: Uint8Array | string, header: unknown, payload: unknown): string {
  const input = `${seg(header)}.${seg(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const ok = (a: TestAgency, body: unknown = BODY, act: ActionName = ACT): string => request(x, a, act, body);

describe('alg none, embedded keys and key URLs: the message never supplies its key', () => {
  const payload = (): string => JSON.stringify(claims(x, bafa, ACT, BODY));

  it.each(['none', 'None', 'NONE', ''])('alg %j with an empty signature → 401 header-invalid', async (alg) => {
    const h = seg(hdr(bafa, { alg }));
    await refusedUnauthenticated(() => x.send(ACT, `${h}.${seg(payload())}.`), 401, 'header-invalid');
  });

  it('alg none with a real ES256 signature over the same input → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { alg: 'none' }), payload())), 401, 'header-invalid');
  });

  // Each is signed by the attacker's key and names that key (or where to fetch it) in the header,
  // with the victim's kid: a verifier that honours the header would accept it.
  it.each([
    ['jwk (the signing key embedded)', () => ({ jwk: attackerEc.publicJwk })],
    ['jku (a key-set URL)', () => ({ jku: 'https://attacker.example/jwks.json' })],
    ['x5u (a certificate URL)', () => ({ x5u: 'https://attacker.example/cert.pem' })],
    ['x5c (a certificate chain)', () => ({ x5c: ['MIIBszCCAVmgAwIBAgIUJ'] })],
    ['x5t (a certificate thumbprint)', () => ({ x5t: 'dGh1bWJwcmludA' })],
    ['x5t#S256', () => ({ 'x5t#S256': 'dGh1bWJwcmludC1zaGEyNTY' })],
    ['cty', () => ({ cty: 'JWT' })],
    ['zip', () => ({ zip: 'DEF' })],
    ['crit naming an unknown extension', () => ({ crit: ['exp'], exp: 1 })],
  ])('header with %s, signed by the attacker → 401 header-invalid', async (_n, extra) => {
    await refusedUnauthenticated(() => x.send(ACT, rawJws(attackerEc.privateJwk, hdr(bafa, extra()), payload())), 401, 'header-invalid');
  });

  it('the same extras signed by the registered key are still refused (the header is exactly {alg, kid, typ})', async () => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { jwk: bafa.key.publicJwk }), payload())), 401, 'header-invalid');
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { jku: 'https://exchange.example/v1/agencies/DE-BAFA/jwks.json' }), payload())), 401, 'header-invalid');
  });
});

describe('HS256 with the agency public key as the HMAC secret (key confusion)', () => {
  const secrets = (a: TestAgency): [string, Uint8Array | string][] => {
    const pub = createPublicKey({ key: a.key.publicJwk as JsonWebKey, format: 'jwk' });
    const jwk = a.key.publicJwk;
    const raw = jwk.kty === 'EC' ? Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]) : Buffer.from(jwk.x!, 'base64url');
    return [
      ['JWK JSON', JSON.stringify(jwk)],
      ['JWK JSON as registered (public members, alg, use)', JSON.stringify({ ...jwk, kid: a.key.kid })],
      ['raw public key bytes', raw],
      ['SPKI DER', pub.export({ type: 'spki', format: 'der' })],
      ['SPKI PEM', String(pub.export({ type: 'spki', format: 'pem' }))],
      ['x coordinate as base64url text', jwk.x!],
    ];
  };

  it.each(['ES256 agency', 'EdDSA agency'])('%s: every HS256 variant → 401 header-invalid', async (which) => {
    const a = which === 'ES256 agency' ? bafa : uama;
    for (const [, secret] of secrets(a)) {
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        const jws = hmacJws(secret, hdr(a, { alg }), claims(x, a, ACT, BODY));
        await refusedUnauthenticated(() => x.send(ACT, jws), 401, 'header-invalid');
      }
    }
  });

  it.each([['es256'], ['Es256'], ['ES256 '], ['ES384'], ['ES256K'], ['ES512'], ['RS256'], ['PS256'], ['Ed25519'], ['EDDSA'], ['eddsa'], ['NONE'], [''], [null], [['ES256']]])('alg %j (never the registered alg) → 401 header-invalid', async (alg) => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { alg }), claims(x, bafa, ACT, BODY))), 401, 'header-invalid');
  });
});

describe('alg / key type mismatch, both ways', () => {
  it('EdDSA header on an ES256 key, signed with an Ed25519 key → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, rawJws(attackerEd.privateJwk, hdr(bafa, { alg: 'EdDSA' }), claims(x, bafa, ACT, BODY))), 401, 'header-invalid');
  });

  it('ES256 header on an EdDSA key, signed with a P-256 key → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, rawJws(attackerEc.privateJwk, hdr(uama, { alg: 'ES256' }), claims(x, uama, ACT, BODY))), 401, 'header-invalid');
  });

  it('ES256 header on an EdDSA key, over a genuine Ed25519 signature by that key → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(uama, hdr(uama, { alg: 'ES256' }), claims(x, uama, ACT, BODY))), 401, 'header-invalid');
  });

  it('EdDSA header on an ES256 key, over a genuine ES256 signature by that key → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { alg: 'EdDSA' }), claims(x, bafa, ACT, BODY))), 401, 'header-invalid');
  });
});

describe('unencoded payload (RFC 7797) and JWS JSON serialisations', () => {
  it('b64:false with crit:["b64"], signing input identical to a normal JWS → 401 header-invalid', async () => {
    // A lenient RFC 7797 verifier would check this signature over the *encoded* payload text and
    // then treat that text itself as the payload: the exchange must not even consider it.
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { b64: false, crit: ['b64'] }), claims(x, bafa, ACT, BODY))), 401, 'header-invalid');
  });

  it('b64:true with crit:["b64"] → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { b64: true, crit: ['b64'] }), claims(x, bafa, ACT, BODY))), 401, 'header-invalid');
  });

  it('b64:false with the raw JSON payload in the compact form → 400 malformed-request', async () => {
    const h = seg(hdr(bafa, { b64: false, crit: ['b64'] }));
    const payload = JSON.stringify(claims(x, bafa, ACT, BODY));
    const key = createPrivateKey({ key: bafa.privateJwk as JsonWebKey, format: 'jwk' });
    const sig = sign('sha256', Buffer.from(`${h}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    await refusedUnauthenticated(() => x.send(ACT, `${h}.${payload}.${sig}`), 400, 'malformed-request');
    // and the detached form (empty payload segment)
    await refusedUnauthenticated(() => x.send(ACT, `${h}..${sig}`), 400, 'malformed-request');
  });

  it('flattened JWS JSON serialisation (properly signed) → 400 malformed-request', async () => {
    const key = await importJWK(bafa.privateJwk, 'ES256');
    const jws = await new FlattenedSign(Buffer.from(JSON.stringify(claims(x, bafa, ACT, BODY)))).setProtectedHeader(hdr(bafa)).sign(key);
    await refusedUnauthenticated(() => x.send(ACT, JSON.stringify(jws)), 400, 'malformed-request');
  });

  it('general JWS JSON serialisation (two signatures) → 400 malformed-request', async () => {
    const gs = new GeneralSign(Buffer.from(JSON.stringify(claims(x, bafa, ACT, BODY))));
    gs.addSignature(await importJWK(bafa.privateJwk, 'ES256')).setProtectedHeader(hdr(bafa));
    gs.addSignature(await importJWK(attackerEc.privateJwk, 'ES256')).setProtectedHeader(hdr(bafa));
    await refusedUnauthenticated(async () => x.send(ACT, JSON.stringify(await gs.sign())), 400, 'malformed-request');
  });

  it('JWS JSON serialisation with its own media type → 415', async () => {
    const key = await importJWK(bafa.privateJwk, 'ES256');
    const jws = await new FlattenedSign(Buffer.from(JSON.stringify(claims(x, bafa, ACT, BODY)))).setProtectedHeader(hdr(bafa)).sign(key);
    await refusedUnauthenticated(() => x.send(ACT, JSON.stringify(jws), 'application/jose+json'), 415, 'unsupported-media-type');
  });
});

describe('signature bytes', () => {
  const es = (): string => ok(bafa);
  const ed = (): string => ok(uama);
  const rOf = (sig: Uint8Array): Buffer => Buffer.from(sig.subarray(0, 32));
  const sOf = (sig: Uint8Array): Buffer => Buffer.from(sig.subarray(32));

  const cases: [string, () => string][] = [
    ['ES256 all zeros', () => withSignature(es(), Buffer.alloc(64))],
    ['ES256 all 0xFF', () => withSignature(es(), Buffer.alloc(64, 0xff))],
    ['ES256 r = 0', () => { const j = es(); return withSignature(j, Buffer.concat([Buffer.alloc(32), sOf(signatureOf(j))])); }],
    ['ES256 s = 0', () => { const j = es(); return withSignature(j, Buffer.concat([rOf(signatureOf(j)), Buffer.alloc(32)])); }],
    ['ES256 r = n', () => { const j = es(); return withSignature(j, Buffer.concat([bytesFromBig(P256_N, 32), sOf(signatureOf(j))])); }],
    ['ES256 s = n', () => { const j = es(); return withSignature(j, Buffer.concat([rOf(signatureOf(j)), bytesFromBig(P256_N, 32)])); }],
    ['ES256 DER-encoded signature', () => {
      const j = es();
      const [h, p] = j.split('.');
      const key = createPrivateKey({ key: bafa.privateJwk as JsonWebKey, format: 'jwk' });
      return withSignature(j, sign('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'der' }));
    }],
    ['ES256 valid signature + one trailing byte', () => { const j = es(); return withSignature(j, Buffer.concat([signatureOf(j), Buffer.from([0])])); }],
    ['ES256 valid signature + trailing base64url text', () => `${es()}AA`],
    ['ES256 leading zero byte (65 bytes)', () => { const j = es(); return withSignature(j, Buffer.concat([Buffer.from([0]), signatureOf(j)])); }],
    ['ES256 truncated to 63 bytes', () => { const j = es(); return withSignature(j, signatureOf(j).subarray(0, 63)); }],
    ['ES256 empty signature', () => withSignature(es(), '')],
    ['Ed25519 all zeros', () => withSignature(ed(), Buffer.alloc(64))],
    ['Ed25519 all 0xFF', () => withSignature(ed(), Buffer.alloc(64, 0xff))],
    ['Ed25519 63 bytes', () => { const j = ed(); return withSignature(j, signatureOf(j).subarray(0, 63)); }],
    ['Ed25519 32 bytes', () => { const j = ed(); return withSignature(j, signatureOf(j).subarray(0, 32)); }],
    ['Ed25519 valid signature + one trailing byte', () => { const j = ed(); return withSignature(j, Buffer.concat([signatureOf(j), Buffer.from([0])])); }],
    ['Ed25519 ES256-sized DER blob', () => withSignature(ed(), Buffer.concat([Buffer.from([0x30, 0x44, 0x02, 0x20]), Buffer.alloc(32, 1), Buffer.from([0x02, 0x20]), Buffer.alloc(32, 1)]))],
    ['Ed25519 non-canonical S (S + L, RFC 8032 §5.1.7)', () => {
      const j = ed();
      const sig = signatureOf(j);
      const s = bigFromBytes(Buffer.from(sig.subarray(32)).reverse()) + ED25519_L;
      return withSignature(j, Buffer.concat([sig.subarray(0, 32), bytesFromBig(s, 32).reverse()]));
    }],
    ['valid ES256 signature of another request', () => withSignature(es(), signatureOf(es()))],
  ];

  it.each(cases)('%s → 401 signature-invalid', async (_name, make) => {
    await refusedUnauthenticated(() => x.send(ACT, make()), 401, 'signature-invalid');
  });

  it('sanity: the DER signature is a real signature of the same input (so only its encoding is refused)', () => {
    const j = es();
    const [h, p] = j.split('.');
    const key = createPrivateKey({ key: bafa.privateJwk as JsonWebKey, format: 'jwk' });
    const der = sign('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'der' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey(key), dsaEncoding: 'der' }, der)).toBe(true);
  });
});

describe('cross-type confusion: other JWS kinds are never requests', () => {
  it('a response JWS of the exchange posted as a request → 401 header-invalid', async () => {
    const answer = await x.call(bafa, ACT, BODY);
    expect(answer.status).toBeLessThan(300);
    const responseJws = answer.raw.body;
    await refusedUnauthenticated(() => x.send(ACT, responseJws), 401, 'header-invalid');
    // also a refusal's response, and on another route
    const refusal = await x.send(ACT, 'not.a.jws');
    await refusedUnauthenticated(() => x.send('license.publish', refusal.raw.body), 401, 'header-invalid');
  });

  it('a license document JWS posted as a request → 401 header-invalid', async () => {
    const doc = await signDocument(bafa.privateJwk, 'corridor-license+jws', licenseDoc());
    await refusedUnauthenticated(() => x.send('license.publish', doc), 401, 'header-invalid');
  });

  it('a license document JWS whose payload carries request claims → 401 header-invalid', async () => {
    const doc = await signDocument(bafa.privateJwk, 'corridor-license+jws', claims(x, bafa, ACT, BODY));
    await refusedUnauthenticated(() => x.send(ACT, doc), 401, 'header-invalid');
  });

  it('an EUC document JWS posted as a request → 401 header-invalid', async () => {
    const doc = await signDocument(mti.privateJwk, 'corridor-euc+jws', eucDoc());
    await refusedUnauthenticated(() => x.send('euc.publish', doc), 401, 'header-invalid');
  });

  it('an audit seal JWS posted as a request → 401 header-invalid', async () => {
    // its own exchange: once sealed, the shared helper's auditEvents() would trip over the seal records
    const y = await TestExchange.create();
    const aud = await y.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
    await sealNow(y);
    const seal = ((await y.call(aud, 'audit.seals', { fromSeq: 0 })).result.seals as string[])[0]!;
    expect(JSON.parse(Buffer.from(seal.split('.')[0]!, 'base64url').toString()).typ).toBe('corridor-seal+jws');
    const yv = sealTolerant(y);
    let a!: Answer;
    await expectRefusal(yv, async () => (a = await y.send('audit.query', seal)), 401, 'header-invalid');
    expect(a.claims.aud).toBeUndefined();
  });

  it('a request JWS posted as body.document of license.publish → 400 document-invalid', async () => {
    const req = ok(bafa, BODY);
    await expectRefusal(x, () => x.call(bafa, 'license.publish', { document: req }), 400, 'document-invalid');
    // a request-typed JWS whose payload *is* a valid license
    await expectRefusal(x, () => x.call(bafa, 'license.publish', { document: signedBy(bafa, hdr(bafa), licenseDoc()) }), 400, 'document-invalid');
  });

  it('a response JWS posted as body.document of license.publish → 400 document-invalid', async () => {
    const answer = await x.call(bafa, ACT, BODY);
    await expectRefusal(x, () => x.call(bafa, 'license.publish', { document: answer.raw.body }), 400, 'document-invalid');
  });

  it('an EUC document posted as body.document of license.publish → 400 document-invalid', async () => {
    const doc = await signDocument(bafa.privateJwk, 'corridor-euc+jws', licenseDoc());
    await expectRefusal(x, () => x.call(bafa, 'license.publish', { document: doc }), 400, 'document-invalid');
  });
});

describe('issuer documents get the same scrutiny (400 document-invalid)', () => {
  const docHeader = (over: Record<string, unknown> = {}) => ({ alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-license+jws', ...over });
  const publishRaw = (document: string) => x.call(bafa, 'license.publish', { document });
  const docText = () => JSON.stringify(licenseDoc({ licenseId: 'DE-2026-ATTACK' }));

  it.each([
    ['duplicate quantity in an item (the reader would see the second)', () => signedBy(bafa, docHeader(), docText().replace('"quantity":40', '"quantity":40,"quantity":4000'))],
    ['duplicate issuer spelled with an escape', () => signedBy(bafa, docHeader(), docText().replace('"issuer":"DE-BAFA"', '"issuer":"DE-BAFA","\\u0069ssuer":"FR-DGDDI"'))],
    ['duplicate typ in the document header', () => signedBy(bafa, '{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-euc+jws","typ":"corridor-license+jws"}', docText())],
    ['HS256 with the public JWK as secret', () => hmacJws(JSON.stringify(bafa.key.publicJwk), docHeader({ alg: 'HS256' }), docText())],
    ['EdDSA header on the ES256 key', () => rawJws(attackerEd.privateJwk, docHeader({ alg: 'EdDSA' }), docText())],
    ['b64:false with crit', () => signedBy(bafa, docHeader({ b64: false, crit: ['b64'] }), docText())],
    ['a header that is an array', () => signedBy(bafa, '[{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-license+jws"}]', docText())],
    ['a lone surrogate in a name', () => signedBy(bafa, docHeader(), docText().replace('Optik Werke GmbH', 'Optik \\ud800 GmbH'))],
    ['the malleated twin of a request signature (still a request)', () => { const r = ok(bafa); return withSignature(r, malleateEs256(signatureOf(r))); }],
    ['a DER signature', () => { const d = signedBy(bafa, docHeader(), docText()); const [h, p] = d.split('.'); return withSignature(d, sign('sha256', Buffer.from(`${h}.${p}`), { key: createPrivateKey({ key: bafa.privateJwk as JsonWebKey, format: 'jwk' }), dsaEncoding: 'der' })); }],
  ])('%s → 400 document-invalid', async (_n, make) => {
    const document = make();
    expect(document).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    await expectRefusal(x, () => publishRaw(document), 400, 'document-invalid');
  });
});

describe('protected header shape', () => {
  const payload = (): string => JSON.stringify(claims(x, bafa, ACT, BODY));

  it.each([
    ['alg twice (none, then ES256)', '{"alg":"none","alg":"ES256","kid":"de-bafa-1","typ":"corridor-request+jws"}'],
    ['alg twice (ES256, then none)', '{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-request+jws","alg":"none"}'],
    ['kid twice (another agency first)', '{"alg":"ES256","kid":"nl-douane-1","kid":"de-bafa-1","typ":"corridor-request+jws"}'],
    ['typ twice, one spelled with a \\u escape', '{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-license+jws","\\u0074yp":"corridor-request+jws"}'],
    ['alg twice, both escaped', '{"\\u0061lg":"HS256","kid":"de-bafa-1","typ":"corridor-request+jws","al\\u0067":"ES256"}'],
  ])('header with duplicate members: %s → 400 duplicate-member', async (_n, header) => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, header, payload())), 400, 'duplicate-member');
  });

  it.each([
    ['a JSON array', '[{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-request+jws"}]'],
    ['an empty array', '[]'],
    ['null', 'null'],
    ['a string', '"ES256"'],
    ['a number', '256'],
    ['two objects', '{"alg":"ES256"}{"kid":"de-bafa-1","typ":"corridor-request+jws"}'],
    ['an object with trailing garbage', '{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-request+jws"}x'],
    ['a single-quoted object', "{'alg':'ES256','kid':'de-bafa-1','typ':'corridor-request+jws'}"],
    ['an object with a trailing comma', '{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-request+jws",}'],
    ['an object with a comment', '{"alg":"ES256",/*x*/"kid":"de-bafa-1","typ":"corridor-request+jws"}'],
  ])('header that is %s → 400 malformed-request', async (_n, header) => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, header, payload())), 400, 'malformed-request');
  });

  it.each([
    ['10,000 chars', 'k'.repeat(10_000)],
    ['the real kid followed by 9,991 chars', `de-bafa-1${'x'.repeat(9_991)}`],
    ['65 chars', 'k'.repeat(65)],
    ['empty', ''],
    ['a number', 1],
    ['an object', { kid: 'de-bafa-1' }],
    ['an array', ['de-bafa-1']],
    ['null', null],
  ])('kid that is %s → 401 header-invalid', async (_n, kid) => {
    const a = await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { kid }), payload())), 401, 'header-invalid');
    expect(a.problem.detail.length).toBeLessThan(200); // the kid is not echoed back
    expect(JSON.stringify(x.auditEvents().at(-1)).length).toBeLessThan(2000);
  });

  it.each([
    ['upper case', 'DE-BAFA-1'],
    ['with a NUL', 'de-bafa-1\u0000'],
    ['with a trailing space', 'de-bafa-1 '],
    ['full-width digit', 'de-bafa-\uff11'],
  ])('kid that only looks like the registered one (%s) → 401 key-not-usable', async (_n, kid) => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { kid }), payload())), 401, 'key-not-usable');
  });

  it('typ with the application/ prefix (RFC 7515 §4.1.9 allows omitting it; we compare exactly) → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { typ: 'application/corridor-request+jws' }), payload())), 401, 'header-invalid');
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, hdr(bafa, { typ: 'Corridor-Request+JWS' }), payload())), 401, 'header-invalid');
  });

  it('a header member that only differs by a \\u0000 suffix is an extra member → 401 header-invalid', async () => {
    await refusedUnauthenticated(() => x.send(ACT, signedBy(bafa, '{"alg":"ES256","kid":"de-bafa-1","typ":"corridor-request+jws","typ\\u0000":"x"}', payload())), 401, 'header-invalid');
  });
});

describe('payload shape', () => {
  const verifyBody = { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: { date: '2026-11-22', destinationCountry: 'SG', exporter: { name: 'Optik Werke GmbH' }, items: [{ controlCode: '6A003.b.4', quantity: 5 }, { controlCode: '6A004.a', quantity: 1 }] } };

  it.each([
    ['deep in body (items/1/quantity)', '"quantity":1}', '"quantity":1,"quantity":1000}', '/body/shipment/items/1/quantity'],
    ['deep in body, second spelled with an escape', '"quantity":1}', '"quantity":1,"qu\\u0061ntity":1000}', '/body/shipment/items/1/quantity'],
    ['deep in body (exporter/name)', '"name":"Optik Werke GmbH"', '"name":"Optik Werke GmbH","name":"Someone Else"', '/body/shipment/exporter/name'],
    ['in the claims, escaped (iss)', '"iss":"DE-BAFA"', '"iss":"DE-BAFA","\\u0069ss":"FR-DGDDI"', '/iss'],
  ])('duplicate members %s → 400 duplicate-member naming the pointer', async (_n, find, replace, pointer) => {
    const text = JSON.stringify(claims(x, bafa, 'license.verify', verifyBody)).replace(find, replace);
    expect(text).toContain(replace);
    const detail = await expectRefusal(x, () => x.send('license.verify', signedBy(bafa, hdr(bafa), text)), 400, 'duplicate-member');
    expect(detail).toContain(pointer);
  });
});

// Whatever this file threw at the exchange, no trade data reached storage in the clear.
afterAll(() => expectNoPlaintextAtRest(x));
