// Hostile input (protocol.md §2 body rules, §3 400/413/415, §5 names; decisions "Order of checks" 1–3, 9):
// sizes, nesting, closed schemas, prototype keys, type confusion, number edge cases, UTF-8, Unicode
// names, long strings, long arrays, media types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { makeKey } from '../helpers/keys.ts';
import { licenseDoc, publish, shipment } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';
import { expectRefusal } from '../helpers/refusals.ts';
import { claims, hdr, rawJwsBytes, request, requestOfExactSize, sendRaw, signedBy } from './kit.ts';
import { expectNoPlaintextAtRest } from './at-rest.ts';

let x: TestExchange;
let bafa: TestAgency;
let douane: TestAgency;
const LIMIT = 262_144;
const protoKeysAtStart = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  douane = await x.agency('NL-DOUANE', ['customs']);
  await x.agency('SG-MTI', ['euc-issuer']);
  expect((await publish(x, bafa)).status).toBe(201);
  expect((await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] })).status).toBe(201);
});

afterAll(() => {
  // whatever was thrown at the exchange, nothing leaked into the shared prototypes of this process
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysAtStart);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const refused = (send: () => Promise<Answer>, status: number, slug: string) => expectRefusal(x, send, status, slug);
const verifyBody = (over: Record<string, unknown> = {}) => ({ issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment(), ...over });
const VERIFY: ActionName = 'license.verify';
/** Douane's license.verify with the payload given as JSON text (so it can hold anything). */
const verifyText = (text: string) => x.send(VERIFY, signedBy(douane, hdr(douane), text));
const verifyClaimsText = (body: unknown = verifyBody()) => JSON.stringify(claims(x, douane, VERIFY, body));
/** Refused as body-invalid; returns the pointers. */
async function bodyInvalid(send: () => Promise<Answer>): Promise<string[]> {
  let a!: Answer;
  await refused(async () => (a = await send()), 400, 'body-invalid');
  return (a.problem.errors ?? []).map((e) => e.pointer);
}
const stillServing = async () => expect((await x.call(douane, VERIFY, verifyBody())).status).toBe(200);

describe('size (256 KiB measured on the bytes received)', () => {
  it('a validly signed request of 262,145 bytes → 413 body-too-large', async () => {
    const jws = requestOfExactSize(x, bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] }, LIMIT + 1);
    expect(Buffer.byteLength(jws)).toBe(LIMIT + 1);
    await refused(() => x.send('agreement.put', jws), 413, 'body-too-large');
  });

  it('a validly signed request of exactly 262,144 bytes is accepted (not 413)', async () => {
    const jws = requestOfExactSize(x, bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] }, LIMIT);
    expect(Buffer.byteLength(jws)).toBe(LIMIT);
    const a = await x.send('agreement.put', jws);
    expect([a.status, a.problem]).toEqual([200, undefined]);
  });

  it('white space around the JWS counts: 262,144 bytes accepted, 262,145 → 413', async () => {
    const jws = request(x, douane, VERIFY, verifyBody());
    expect((await x.send(VERIFY, jws + ' '.repeat(LIMIT - jws.length))).status).toBe(200);
    const other = request(x, douane, VERIFY, verifyBody());
    await refused(() => x.send(VERIFY, other + ' '.repeat(LIMIT + 1 - other.length)), 413, 'body-too-large');
  });

  it('bytes, not characters: 131,073 two-byte characters (262,146 bytes) → 413; 262,144 bytes of them → 400, not 413', async () => {
    await refused(() => x.send(VERIFY, 'é'.repeat(131_073)), 413, 'body-too-large');
    await refused(() => x.send(VERIFY, 'é'.repeat(131_072)), 400, 'malformed-request');
  });

  it('the media type is checked before the size: an oversize text/plain body → 415', async () => {
    await refused(() => x.send(VERIFY, 'a'.repeat(LIMIT * 2), 'text/plain'), 415, 'unsupported-media-type');
  });
});

describe('deep nesting', () => {
  const nested = (n: number) => verifyClaimsText('@@').replace('"@@"', `${'['.repeat(n)}${']'.repeat(n)}`);

  it.each([10_000, 90_000])('%d nested arrays as body → 400 malformed-request, and the exchange keeps serving', async (n) => {
    // How long the refusal takes is the bench's business (validation-regex, strict-json); here: refused, still serving.
    await refused(() => verifyText(nested(n)), 400, 'malformed-request');
    await stillServing();
  });

  it('10,000 nested objects deep inside shipment → 400 malformed-request, and the exchange keeps serving', async () => {
    const text = verifyClaimsText(verifyBody({ shipment: '@@' })).replace('"@@"', `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
    await refused(() => verifyText(text), 400, 'malformed-request');
    await stillServing();
  });

  it('10,000 nested arrays in the protected header → 400 malformed-request', async () => {
    const header = `{"alg":"ES256","kid":"nl-douane-1","typ":"corridor-request+jws","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    await refused(() => x.send(VERIFY, signedBy(douane, header, verifyClaimsText())), 400, 'malformed-request');
    await stillServing();
  });

  it('moderate nesting (500 arrays) parses and is refused by the schema with a pointer', async () => {
    const text = verifyClaimsText(verifyBody({ shipment: '@@' })).replace('"@@"', `${'['.repeat(500)}${']'.repeat(500)}`);
    expect(await bodyInvalid(() => verifyText(text))).toContain('/body/shipment');
  });
});

describe('closed schemas: unknown members are refused with their pointer, never stripped', () => {
  it.each([
    ['top level', (b: any) => ({ ...b, extra: 1 }), '/body/extra'],
    ['in shipment', (b: any) => ({ ...b, shipment: { ...b.shipment, extra: 1 } }), '/body/shipment/extra'],
    ['in an item', (b: any) => ({ ...b, shipment: { ...b.shipment, items: [{ ...b.shipment.items[0], extra: 1 }] } }), '/body/shipment/items/0/extra'],
    ['in a name object', (b: any) => ({ ...b, shipment: { ...b.shipment, exporter: { name: 'Optik Werke GmbH', country: 'DE' } } }), '/body/shipment/exporter/country'],
    ['named like a JSON pointer', (b: any) => ({ ...b, 'a/b~c': 1 }), '/body/a~1b~0c'],
    ['with an empty name', (b: any) => ({ ...b, '': 1 }), '/body/'],
  ])('license.verify, unknown member %s → 400 body-invalid at %s', async (_n, mutate, pointer) => {
    expect(await bodyInvalid(() => x.call(douane, VERIFY, mutate(verifyBody())))).toContain(pointer);
  });

  it('unknown members at four depths at once: every pointer is listed', async () => {
    const b = verifyBody();
    const pointers = await bodyInvalid(() => x.call(douane, VERIFY, { ...b, x1: 1, shipment: { ...b.shipment, x2: 1, exporter: { name: 'a', x3: 1 }, items: [{ controlCode: '6A003.b.4', quantity: 1, x4: 1 }] } }));
    expect(pointers).toEqual(expect.arrayContaining(['/body/x1', '/body/shipment/x2', '/body/shipment/exporter/x3', '/body/shipment/items/0/x4']));
  });

  it('a private member (d) in a registered JWK → 400 body-invalid at /body/keys/0/jwk/d', async () => {
    const k = await makeKey('leak-1');
    expect(await bodyInvalid(() => x.call(x.operator, 'agency.register', { agencyId: 'LU-LEAK', name: 'Leak', roles: ['customs'], keys: [{ kid: 'leak-1', jwk: { ...k.publicJwk, d: k.privateJwk.d } }] }))).toContain('/body/keys/0/jwk/d');
  });

  it('an unknown member deep inside a license document → 400 document-invalid at its payload pointer', async () => {
    const doc = licenseDoc({ licenseId: 'DE-2026-EXTRA', items: [{ line: 1, description: 'x', controlCode: '6A003.b.4', quantity: 1, unit: 'pcs', secret: 1 }] });
    let a!: Answer;
    await refused(async () => (a = await x.call(bafa, 'license.publish', { document: await signDocument(bafa.privateJwk, 'corridor-license+jws', doc) })), 400, 'document-invalid');
    expect(a.problem.errors!.map((e) => e.pointer)).toContain('/body/document/payload/items/0/secret');
  });

  it('500 items each with an unknown member: refused, and the error list stays bounded', async () => {
    const items = Array.from({ length: 500 }, () => ({ controlCode: '6A003.b.4', quantity: 1, extra: true }));
    let a!: Answer;
    await refused(async () => (a = await x.call(douane, VERIFY, verifyBody({ shipment: shipment({ items }) }))), 400, 'body-invalid');
    expect(a.problem.errors!.length).toBeGreaterThan(0);
    expect(a.problem.errors!.length).toBeLessThanOrEqual(20);
  });
});

describe('prototype keys (__proto__, constructor, prototype) never pollute', () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysAtStart);
  });
  const body = verifyClaimsText;
  const cases: [string, () => string, string][] = [
    ['__proto__ at body level', () => body().replace('"shipment":', '"__proto__":{"polluted":"yes","issuer":"FR-X"},"shipment":'), '/body/__proto__'],
    ['__proto__ in shipment', () => body().replace('"date":', '"__proto__":{"polluted":"yes"},"date":'), '/body/shipment/__proto__'],
    ['__proto__ in an item', () => body().replace('"quantity":5', '"quantity":5,"__proto__":{"quantity":1,"polluted":"yes"}'), '/body/shipment/items/0/__proto__'],
    ['__proto__ in a name object', () => body(verifyBody({ shipment: shipment({ exporter: { name: 'x' } }) })).replace('"name":"x"', '"name":"x","__proto__":{"name":"Optik Werke GmbH","polluted":"yes"}'), '/body/shipment/exporter/__proto__'],
    ['constructor.prototype at body level', () => body().replace('"shipment":', '"constructor":{"prototype":{"polluted":"yes"}},"shipment":'), '/body/constructor'],
    ['constructor.prototype in shipment', () => body().replace('"date":', '"constructor":{"prototype":{"polluted":"yes"}},"date":'), '/body/shipment/constructor'],
    ['prototype at body level', () => body().replace('"shipment":', '"prototype":{"polluted":"yes"},"shipment":'), '/body/prototype'],
    ['hasOwnProperty shadowed', () => body().replace('"shipment":', '"hasOwnProperty":"polluted","shipment":'), '/body/hasOwnProperty'],
    ['toString / valueOf shadowed in an item', () => body().replace('"quantity":5', '"quantity":5,"toString":1,"valueOf":2'), '/body/shipment/items/0/toString'],
  ];

  it.each(cases)('%s → 400 body-invalid at its pointer, Object.prototype untouched', async (_n, make, pointer) => {
    const text = make();
    expect(text).toMatch(/__proto__|constructor|prototype|hasOwnProperty|toString/);
    expect(await bodyInvalid(() => verifyText(text))).toContain(pointer);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysAtStart);
  });

  it('__proto__ among the claims → 401 claims-invalid (the operator identity cannot be inherited)', async () => {
    const text = verifyClaimsText().replace('{', '{"__proto__":{"iss":"XX-OPERATOR","polluted":"yes"},');
    await refused(() => verifyText(text), 401, 'claims-invalid');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('__proto__ in the protected header → 401 header-invalid', async () => {
    const header = '{"alg":"ES256","kid":"nl-douane-1","typ":"corridor-request+jws","__proto__":{"alg":"none","polluted":"yes"}}';
    await refused(() => x.send(VERIFY, signedBy(douane, header, verifyClaimsText())), 401, 'header-invalid');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('__proto__ in a license document payload → 400 document-invalid', async () => {
    const docText = JSON.stringify(licenseDoc({ licenseId: 'DE-2026-PROTO' })).replace('"exporter":', '"__proto__":{"polluted":"yes","issuer":"FR-X"},"exporter":');
    const document = signedBy(bafa, { alg: 'ES256', kid: 'de-bafa-1', typ: 'corridor-license+jws' }, docText);
    let a!: Answer;
    await refused(async () => (a = await x.call(bafa, 'license.publish', { document })), 400, 'document-invalid');
    expect(a.problem.errors!.map((e) => e.pointer)).toContain('/body/document/payload/__proto__');
  });

  it('__proto__ carrying auditScope into audit.query, and roles into agency.keys → 400 body-invalid', async () => {
    const aud = await x.agency('NL-ADR', ['auditor']);
    const q = JSON.stringify(claims(x, aud, 'audit.query', {})).replace('"body":{}', '"body":{"__proto__":{"auditScope":"all","polluted":"yes"}}');
    expect(await bodyInvalid(() => x.send('audit.query', signedBy(aud, hdr(aud), q)))).toContain('/body/__proto__');
    const k = JSON.stringify(claims(x, douane, 'agency.keys', { retire: ['nope'] })).replace('"retire"', '"__proto__":{"roles":["operator"]},"retire"');
    expect(await bodyInvalid(() => x.send('agency.keys', signedBy(douane, hdr(douane), k)))).toContain('/body/__proto__');
  });
});

describe('type confusion', () => {
  const s = shipment();
  it.each([
    ['quantity as a string', verifyBody({ shipment: { ...s, items: [{ controlCode: '6A003.b.4', quantity: '5' }] } }), '/body/shipment/items/0/quantity'],
    ['quantity as a boolean', verifyBody({ shipment: { ...s, items: [{ controlCode: '6A003.b.4', quantity: true }] } }), '/body/shipment/items/0/quantity'],
    ['quantity as an array', verifyBody({ shipment: { ...s, items: [{ controlCode: '6A003.b.4', quantity: [5] }] } }), '/body/shipment/items/0/quantity'],
    ['quantity null', verifyBody({ shipment: { ...s, items: [{ controlCode: '6A003.b.4', quantity: null }] } }), '/body/shipment/items/0/quantity'],
    ['items as an object', verifyBody({ shipment: { ...s, items: { 0: { controlCode: '6A003.b.4', quantity: 5 } } } }), '/body/shipment/items'],
    ['shipment as an array', verifyBody({ shipment: [s] }), '/body/shipment'],
    ['shipment as a string', verifyBody({ shipment: JSON.stringify(s) }), '/body/shipment'],
    ['licenseId as a number', verifyBody({ licenseId: 2026000123 }), '/body/licenseId'],
    ['licenseId as an array', verifyBody({ licenseId: ['DE-2026-000123'] }), '/body/licenseId'],
    ['issuer as an object', verifyBody({ issuer: { id: 'DE-BAFA' } }), '/body/issuer'],
    ['exporter as a string', verifyBody({ shipment: { ...s, exporter: 'Optik Werke GmbH' } }), '/body/shipment/exporter'],
    ['exporter name as a number', verifyBody({ shipment: { ...s, exporter: { name: 1 } } }), '/body/shipment/exporter/name'],
    ['date as a number', verifyBody({ shipment: { ...s, date: 20261122 } }), '/body/shipment/date'],
    ['date not a calendar date', verifyBody({ shipment: { ...s, date: '2026-02-30' } }), '/body/shipment/date'],
    ['destinationCountry lower case', verifyBody({ shipment: { ...s, destinationCountry: 'sg' } }), '/body/shipment/destinationCountry'],
  ])('%s → 400 body-invalid', async (_n, body, pointer) => {
    expect(await bodyInvalid(() => x.call(douane, VERIFY, body))).toContain(pointer);
  });

  it.each([
    ['body as an array', []],
    ['body as a string', 'license'],
    ['body null', null],
    ['body a number', 1],
  ])('%s → 400 body-invalid at /body', async (_n, body) => {
    expect(await bodyInvalid(() => x.call(douane, VERIFY, body))).toContain('/body');
  });

  it.each([
    ['permissions as a string', { partner: 'NL-DOUANE', documentType: 'license', permissions: 'verify' }, '/body/permissions'],
    ['documentType as an array', { partner: 'NL-DOUANE', documentType: ['license'], permissions: ['verify'] }, '/body/documentType'],
    ['partner as a boolean', { partner: true, documentType: 'license', permissions: ['verify'] }, '/body/partner'],
    ['a permission as an object', { partner: 'NL-DOUANE', documentType: 'license', permissions: [{ verify: true }] }, '/body/permissions/0'],
  ])('agreement.put: %s → 400 body-invalid', async (_n, body, pointer) => {
    expect(await bodyInvalid(() => x.call(bafa, 'agreement.put', body))).toContain(pointer);
  });

  it('audit.query: limit as a string → 400 body-invalid', async () => {
    const aud = await x.agency('NL-ADR2', ['auditor']);
    expect(await bodyInvalid(() => x.call(aud, 'audit.query', { limit: '10' }))).toContain('/body/limit');
  });
});

describe('numbers', () => {
  const withQuantity = (literal: string) => verifyClaimsText().replace('"quantity":5', `"quantity":${literal}`);
  it.each([
    ['2^53 + 1 (9007199254740993)', '9007199254740993'],
    ['2^64', '18446744073709551616'],
    ['1e400 (overflows to Infinity)', '1e400'],
    ['-0', '-0'],
    ['0', '0'],
    ['negative', '-5'],
    ['a fraction', '1.5'],
    ['a tiny fraction', '1e-7'],
    ['10^9 + 0.5', '1000000000.5'],
    ['10^9 + 1', '1000000001'],
  ])('quantity %s → 400 body-invalid', async (_n, literal) => {
    const text = withQuantity(literal);
    expect(text).toContain(`"quantity":${literal}`);
    expect(await bodyInvalid(() => verifyText(text))).toContain('/body/shipment/items/0/quantity');
  });

  it('quantity beyond 2^53 in a drawdown → 400 body-invalid, nothing drawn', async () => {
    const text = JSON.stringify(claims(x, douane, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-BIG-1', date: '2026-11-22', items: [{ line: 1, quantity: 7 }] })).replace('"quantity":7', '"quantity":9007199254740993').replace('"line":1', '"line":9007199254740993');
    const pointers = await bodyInvalid(() => x.send('license.drawdown', signedBy(douane, hdr(douane), text)));
    expect(pointers).toEqual(expect.arrayContaining(['/body/items/0/quantity', '/body/items/0/line']));
  });

  it('an integer written as 5.0 or 5e0 is an integer (JSON Schema) and is accepted', async () => {
    for (const literal of ['5.0', '5e0', '0.5e1']) {
      const a = await verifyText(withQuantity(literal));
      expect([literal, a.status]).toEqual([literal, 200]);
    }
  });
});

describe('UTF-8 and Unicode in the payload', () => {
  const withNameBytes = (bytes: number[]) => {
    const text = verifyClaimsText(verifyBody({ shipment: shipment({ exporter: { name: 'AB@@CD' } }) }));
    const [before, after] = text.split('@@');
    return Buffer.concat([Buffer.from(before!), Buffer.from(bytes), Buffer.from(after!)]);
  };
  it.each([
    ['an overlong "/" (C0 AF)', [0xc0, 0xaf]],
    ['an overlong NUL (C0 80)', [0xc0, 0x80]],
    ['a UTF-16 surrogate encoded as UTF-8 (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['a lone continuation byte (80)', [0x80]],
    ['a truncated sequence (E2 82)', [0xe2, 0x82]],
    ['0xFF', [0xff]],
    ['a code point above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80]],
    ['a five-byte form (F8 88 80 80 80)', [0xf8, 0x88, 0x80, 0x80, 0x80]],
  ])('invalid UTF-8 inside a signed payload string: %s → 400 malformed-request', async (_n, bytes) => {
    await refused(() => x.send(VERIFY, rawJwsBytes(douane.privateJwk, JSON.stringify(hdr(douane)), withNameBytes(bytes))), 400, 'malformed-request');
  });

  it('invalid UTF-8 inside the signed protected header → 400 malformed-request', async () => {
    const header = Buffer.concat([Buffer.from('{"alg":"ES256","kid":"nl-douane-1","typ":"corridor-request+jws","x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    await refused(() => x.send(VERIFY, rawJwsBytes(douane.privateJwk, header, verifyClaimsText())), 400, 'malformed-request');
  });

  it.each([
    ['a lone high surrogate in a value', '"name":"AB\\ud800CD"'],
    ['a lone low surrogate in a value', '"name":"AB\\udc00CD"'],
    ['reversed surrogates', '"name":"AB\\udc00\\ud800CD"'],
    ['a lone surrogate in a member name', '"name":"AB","\\ud800":1'],
  ])('I-JSON: %s → 400 malformed-request', async (_n, replacement) => {
    const text = verifyClaimsText(verifyBody({ shipment: shipment({ exporter: { name: 'AB' } }) })).replace('"name":"AB"', replacement);
    await refused(() => verifyText(text), 400, 'malformed-request');
  });
});

describe('Unicode tricks in names (§5 name key)', () => {
  const check = async (party: 'exporter' | 'consignee' | 'endUser', name: string, licenseId = 'DE-2026-000123') => {
    const a = await x.call(douane, VERIFY, verifyBody({ licenseId, shipment: shipment({ [party]: { name } }) }));
    expect(a.status).toBe(200);
    const c = (a.result.checks as { name: string; ok: boolean; detail?: string }[]).find((k) => k.name === party)!;
    expect(JSON.stringify(a.result.checks)).not.toMatch(/Optik|Lumen|Straits/); // the license's own names are never quoted
    expect(a.result.outcome).toBe(c.ok ? 'valid' : 'invalid');
    return c.ok;
  };

  it.each([
    ['RTL override inside (format character, dropped)', true, 'Optik\u202EWerke GmbH'],
    ['directional isolates around it', true, '\u2067Optik Werke GmbH\u2069'],
    ['zero-width joiner and zero-width space inside', true, 'Op\u200Dtik Werke\u200B GmbH'],
    ['soft hyphen inside', true, 'Op\u00ADtik Werke GmbH'],
    ['full-width letters (compatibility form)', true, 'Ｏｐｔｉｋ Ｗｅｒｋｅ ＧｍｂＨ'],
    ['mathematical bold letters (compatibility form)', true, '𝐎𝐩𝐭𝐢𝐤 Werke GmbH'],
    ['different case and punctuation', true, 'OPTIK-WERKE gmbh.'],
    ['visually reversed text behind an RTL override', false, '\u202EHbmG ekreW kitpO'],
    ['Cyrillic О (U+041E) for Latin O', false, '\u041Eptik Werke GmbH'],
    ['Cyrillic е (U+0435) for Latin e', false, 'Optik W\u0435rke GmbH'],
    ['Greek Η (U+0397) for Latin H', false, 'Optik Werke Gmb\u0397'],
    ['Greek Ο (U+039F) for Latin O', false, 'Optik Werke GmbH'.replace('O', '\u039F')],
    ['a diacritic (Ö)', false, 'Öptik Werke GmbH'],
    ['a combining diaeresis (O + U+0308)', false, 'O\u0308ptik Werke GmbH'],
    ['only invisible characters', false, '\u200B\u202E\u2060'],
    ['the name plus one letter', false, 'Optik Werke GmbHx'],
  ] as const)('exporter %s → ok: %s', async (_n, expected, name) => {
    expect(await check('exporter', name)).toBe(expected);
  });

  it('names stored with tricks compare by the key too: an RTL override in the license still matches, a homoglyph does not', async () => {
    const doc = licenseDoc({
      licenseId: 'DE-2026-UNICODE',
      exporter: { name: 'Optik\u202EWerke\u200D GmbH', country: 'DE' },
      consignee: { name: 'Lumen Tr\u0430ding Pte Ltd', country: 'SG' }, // Cyrillic а
      endUser: { name: 'Ｓｔｒａｉｔｓ Photonics Lab', country: 'SG' },
    });
    expect((await publish(x, bafa, doc)).status).toBe(201);
    expect(await check('exporter', 'Optik Werke GmbH', 'DE-2026-UNICODE')).toBe(true);
    expect(await check('consignee', 'Lumen Trading Pte Ltd', 'DE-2026-UNICODE')).toBe(false);
    expect(await check('consignee', 'Lumen Tr\u0430ding Pte. Ltd.', 'DE-2026-UNICODE')).toBe(true);
    expect(await check('endUser', 'Straits Photonics Lab', 'DE-2026-UNICODE')).toBe(true);
  });
});

describe('long strings', () => {
  it('agency.register: every string field one over its limit → 400 body-invalid listing each pointer', async () => {
    const k = await makeKey('k');
    const long64 = 'k'.repeat(65);
    const pointers = await bodyInvalid(() => x.call(x.operator, 'agency.register', { agencyId: 'DE-ABCDEFGHIJKLMNOPQ', name: 'n'.repeat(201), roles: ['customs'], keys: [{ kid: long64, jwk: { ...k.publicJwk, kid: long64 } }], revoke: [long64] }));
    expect(pointers).toEqual(expect.arrayContaining(['/body/agencyId', '/body/name', '/body/keys/0/kid', '/body/keys/0/jwk/kid', '/body/revoke/0']));
  });

  it.each([
    ['name 201 chars', (k: any) => ({ agencyId: 'CZ-LONG', name: 'n'.repeat(201), roles: ['customs'], keys: [{ kid: 'cz-1', jwk: k.publicJwk }] }), '/body/name'],
    ['kid 65 chars', (k: any) => ({ agencyId: 'CZ-LONG', name: 'n', roles: ['customs'], keys: [{ kid: 'c'.repeat(65), jwk: k.publicJwk }] }), '/body/keys/0/kid'],
    ['jwk.x 44 chars', (k: any) => ({ agencyId: 'CZ-LONG', name: 'n', roles: ['customs'], keys: [{ kid: 'cz-1', jwk: { ...k.publicJwk, x: `${k.publicJwk.x}A` } }] }), '/body/keys/0/jwk/x'],
    ['agencyId 20 chars', (k: any) => ({ agencyId: 'CZ-ABCDEFGHIJKLMNOPQ', name: 'n', roles: ['customs'], keys: [{ kid: 'cz-1', jwk: k.publicJwk }] }), '/body/agencyId'],
  ])('agency.register %s → 400 body-invalid at its pointer', async (_n, make, pointer) => {
    const k = await makeKey('cz-1');
    expect(await bodyInvalid(() => x.call(x.operator, 'agency.register', make(k)))).toContain(pointer);
  });

  it('agency.register at the limits (name 200, kid 64) is accepted', async () => {
    const k = await makeKey('x'.repeat(64));
    const a = await x.call(x.operator, 'agency.register', { agencyId: 'CZ-EDGE', name: 'n'.repeat(200), roles: ['customs'], keys: [{ kid: 'x'.repeat(64), jwk: k.publicJwk }] });
    expect(a.status).toBe(201);
  });

  it('license.verify: every string field one over its limit → 400 body-invalid listing each pointer', async () => {
    const pointers = await bodyInvalid(() => x.call(douane, VERIFY, {
      issuer: 'DE-BAFAAAAAAAAAAAAAA', licenseId: 'L'.repeat(65),
      shipment: { date: '2026-11-22T', destinationCountry: 'SGP', exporter: { name: 'e'.repeat(301) }, consignee: { name: 'c'.repeat(301) }, endUser: { name: 'u'.repeat(301) }, items: [{ controlCode: '6'.repeat(41), quantity: 1 }] },
    }));
    expect(pointers).toEqual(expect.arrayContaining(['/body/issuer', '/body/licenseId', '/body/shipment/date', '/body/shipment/destinationCountry', '/body/shipment/exporter/name', '/body/shipment/consignee/name', '/body/shipment/endUser/name', '/body/shipment/items/0/controlCode']));
  });

  it('a 190,000-character name → 400 body-invalid; neither the answer nor the audit event echoes it', async () => {
    let a!: Answer;
    await refused(async () => (a = await x.call(douane, VERIFY, verifyBody({ shipment: shipment({ exporter: { name: 'Z'.repeat(190_000) } }) }))), 400, 'body-invalid');
    expect(a.raw.body.length).toBeLessThan(4_000);
    expect(JSON.stringify(x.auditEvents().at(-1)).length).toBeLessThan(2_000);
  });

  it.each([
    ['license.status reason 1,001 chars', 'license.status', () => bafa, { licenseId: 'DE-2026-000123', status: 'active', reason: 'r'.repeat(1001) }, '/body/reason'],
    ['license.drawdown declarationId 65 chars', 'license.drawdown', () => douane, { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'D'.repeat(65), date: '2026-11-22', items: [{ line: 1, quantity: 1 }] }, '/body/declarationId'],
    ['euc.query check.endUser.name 301 chars', 'euc.query', () => douane, { issuer: 'SG-MTI', eucId: 'SG-EUC-1', check: { endUser: { name: 'n'.repeat(301) } } }, '/body/check/endUser/name'],
    ['license.drawdowns licenseId 65 chars', 'license.drawdowns', () => bafa, { licenseId: 'L'.repeat(65) }, '/body/licenseId'],
  ] as const)('%s → 400 body-invalid', async (_n, act, who, body, pointer) => {
    expect(await bodyInvalid(() => x.call(who(), act, body))).toContain(pointer);
  });
});

describe('long arrays', () => {
  const item = { controlCode: '6A003.b.4', quantity: 1 };
  it('license.verify with 500 items is answered (200); 501 → 400 body-invalid at /body/shipment/items', async () => {
    expect((await x.call(douane, VERIFY, verifyBody({ shipment: shipment({ items: Array(500).fill(item) }) }))).status).toBe(200);
    expect(await bodyInvalid(() => x.call(douane, VERIFY, verifyBody({ shipment: shipment({ items: Array(501).fill(item) }) })))).toContain('/body/shipment/items');
  });

  it.each([
    ['license.drawdown items 501', 'license.drawdown', () => douane, { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: 'NL-ARR', date: '2026-11-22', items: Array.from({ length: 501 }, (_, i) => ({ line: i + 1, quantity: 1 })) }, '/body/items'],
    ['euc.query check.items 501', 'euc.query', () => douane, { issuer: 'SG-MTI', eucId: 'SG-EUC-1', check: { items: Array(501).fill({ quantity: 1 }) } }, '/body/check/items'],
    ['agreement.put permissions 4', 'agreement.put', () => bafa, { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read', 'drawdown', 'verify'] }, '/body/permissions'],
    ['agency.keys retire 21 kids', 'agency.keys', () => douane, { retire: Array.from({ length: 21 }, (_, i) => `k-${i}`) }, '/body/retire'],
  ] as const)('%s → 400 body-invalid', async (_n, act, who, body, pointer) => {
    expect(await bodyInvalid(() => x.call(who(), act, body))).toContain(pointer);
  });

  it.each([
    ['roles 6', (k: any) => ({ agencyId: 'CZ-ARR', name: 'n', roles: ['customs', 'licensing', 'auditor', 'operator', 'euc-issuer', 'customs'], keys: [{ kid: 'a', jwk: k.publicJwk }] }), '/body/roles'],
    ['keys 11', (k: any) => ({ agencyId: 'CZ-ARR', name: 'n', roles: ['customs'], keys: Array.from({ length: 11 }, (_, i) => ({ kid: `a${i}`, jwk: k.publicJwk })) }), '/body/keys'],
    ['revoke 21', () => ({ agencyId: 'NL-DOUANE', revoke: Array.from({ length: 21 }, (_, i) => `k-${i}`) }), '/body/revoke'],
  ])('agency.register %s → 400 body-invalid', async (_n, make, pointer) => {
    const k = await makeKey('a');
    expect(await bodyInvalid(() => x.call(x.operator, 'agency.register', make(k)))).toContain(pointer);
  });
});

// Validation cost vs. body size (the O(n²) uniqueItems path Ajv takes for items without a scalar `type`)
// is guarded structurally in schemas-static.test.ts and measured in `npm run bench`, not timed here.

describe('media types and empty bodies', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['missing', undefined],
    ['empty', ''],
    ['application/jwt', 'application/jwt'],
    ['application/josex', 'application/josex'],
    ['a list', 'application/jose, text/plain'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
    ['form-urlencoded', 'application/x-www-form-urlencoded'],
  ])('Content-Type %s → 415 unsupported-media-type', async (_n, ct) => {
    await refused(() => sendRaw(x, VERIFY, request(x, douane, VERIFY, verifyBody()), ct), 415, 'unsupported-media-type');
  });

  it.each([
    ['application/jose; charset=utf-8'],
    ['APPLICATION/JOSE'],
    ['Application/Jose;charset=UTF-8'],
  ])('Content-Type %s is accepted (parameters ignored, media type case-insensitive)', async (ct) => {
    const a = await sendRaw(x, VERIFY, request(x, douane, VERIFY, verifyBody()), ct);
    expect([a.status, a.problem]).toEqual([200, undefined]);
  });

  it('415 outranks 400: garbage sent as text/plain', async () => {
    await refused(() => sendRaw(x, VERIFY, '', 'text/plain'), 415, 'unsupported-media-type');
  });

  it.each([
    ['empty', ''],
    ['white space only', ' \r\n\t '],
    ['two dots', '..'],
    ['two segments', 'eyJhIjoxfQ.eyJhIjoxfQ'],
    ['four segments', () => `${request(x, douane, VERIFY, verifyBody())}.AAAA`],
    ['padded base64url', () => request(x, douane, VERIFY, verifyBody()).replace('.', '==.')],
    ['standard base64 alphabet', () => request(x, douane, VERIFY, verifyBody()).replace(/-/g, '+').replace(/_/g, '/').replace(/^([^.]*)/, '$1+/')],
    ['a NUL byte', '\u0000'],
    ['a JSON object', '{"jws":"a.b.c"}'],
  ] as const)('body %s → 400 malformed-request', async (_n, body) => {
    const bytes = typeof body === 'function' ? body() : body;
    await refused(() => x.send(VERIFY, bytes), 400, 'malformed-request');
  });
});

// Whatever this file threw at the exchange, no trade data reached storage in the clear.
afterAll(() => expectNoPlaintextAtRest(x));
