// Issue 17 item 11: no body the schema accepts may answer 503. Every date and date-time field of
// every action (found by walking schemas/, documents inside publish included) is sent every edge
// case the JSON Schema format check (RFC 3339, as ajv-formats implements it) lets through: leap
// seconds at any offset, hour-only and colon-less offsets, lower-case separators, year 0000 and
// 9999 shifted across the year boundary, long fractions, Feb 29 of a leap year. Each answer is
// signed, never 503; a stored document with such dates is then verified, drawn on and listed.
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { signDocument } from '../../lambdas/client/signing.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { BODY_SCHEMAS, COMMON_SCHEMA, DOCUMENT_SCHEMAS, type JsonSchema } from '../../lambdas/core/schema-registry.ts';
import { denialDoc } from '../helpers/denials.ts';
import { confirmBody, psvReportDoc, psvRequestBody } from '../helpers/end-use.ts';
import { eucDoc, licenseDoc } from '../helpers/licenses.ts';
import { TestExchange, type Answer, type TestAgency } from '../helpers/memory-exchange.ts';

type Kind = 'date' | 'dateTime';
interface DateField { path: (string | number)[]; kind: Kind }

const COMMON = 'urn:corridor:schema:common#/$defs/';
const defs = COMMON_SCHEMA.$defs as Record<string, JsonSchema>;

/** Every date / date-time in a schema, as a path into an instance (array items at index 0). */
function dateFields(schema: JsonSchema, path: (string | number)[] = []): DateField[] {
  const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
  if (ref === `${COMMON}date` || schema.format === 'date') return [{ path, kind: 'date' }];
  if (ref === `${COMMON}dateTime` || schema.format === 'date-time') return [{ path, kind: 'dateTime' }];
  if (typeof schema.format === 'string' && /date|time/.test(schema.format)) throw new Error(`format ${schema.format} at /${path.join('/')} is not covered by this test`);
  const out: DateField[] = [];
  if (ref?.startsWith(COMMON)) out.push(...dateFields(defs[ref.slice(COMMON.length)]!, path));
  for (const [k, s] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) out.push(...dateFields(s, [...path, k]));
  if (schema.items && typeof schema.items === 'object') out.push(...dateFields(schema.items as JsonSchema, [...path, 0]));
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) for (const s of (schema[key] ?? []) as JsonSchema[]) out.push(...dateFields(s, path));
  if (schema.then) out.push(...dateFields(schema.then as JsonSchema, path));
  const seen = new Set<string>();
  return out.filter((f) => !seen.has(f.path.join('/')) && seen.add(f.path.join('/')));
}

const check = (name: 'date' | 'date-time'): ((s: string) => boolean) => (fullFormats[name] as { validate: (s: string) => boolean }).validate;
/** ajv-formats' own RFC 3339 checks, before anything the exchange adds. */
const rfc3339: Record<Kind, (s: string) => boolean> = { date: check('date'), dateTime: check('date-time') };
const MAX = { date: 10, dateTime: 35 };
const CANDIDATES: Record<Kind, string[]> = {
  date: ['2026-11-22', '2016-02-29', '2015-02-29', '0000-01-01', '0000-02-29', '9999-12-31', '2026-13-01', '2026-04-31'],
  dateTime: [
    '2026-11-22T10:00:00Z', '2016-12-31T23:59:60Z', '2016-12-31T23:59:60.999Z', '2016-12-31T18:59:60-05:00', '2017-01-01T00:29:60+00:30',
    '2016-12-31t10:00:00z', '2016-12-31 10:00:00Z', '2016-12-31T10:00:00+05', '2016-12-31T10:00:00+0530', '2016-12-31T10:00:00+23:59',
    '2016-12-31T10:00:00-00:00', '2016-12-31T10:00:00.123456789012345678901Z', '2016-02-29T10:00:00Z', '2015-02-29T10:00:00Z',
    '2016-12-31T24:00:00Z', '0000-01-01T00:00:00Z', '0000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-23:59', '0000-02-29T12:00:00Z',
  ],
};
/** The values the schema lets through: the point is that none of them may reach a 503. */
const accepted = (kind: Kind): string[] => CANDIDATES[kind].filter((v) => v.length <= MAX[kind] && rfc3339[kind](v));

/** Documents travel as a signed JWS inside these actions' bodies. */
const DOCUMENT_OF: Partial<Record<ActionName, 'license' | 'euc' | 'psv-report' | 'denial'>> = { 'license.publish': 'license', 'euc.publish': 'euc', 'psv.report': 'psv-report', 'denial.notify': 'denial' };

let x: TestExchange;
let who: Record<string, TestAgency>;
let n = 0;
const uid = (p: string): string => `${p}-${++n}`;

/** A valid body for each action that has date fields; the test fails if an action with dates has none. */
const BASES: Partial<Record<ActionName, { as: () => TestAgency; body: () => Record<string, unknown> }>> = {
  'agreement.put': { as: () => who.bafa!, body: () => ({ partner: 'FR-DGDDI', documentType: 'license', permissions: ['verify'], validUntil: '2027-01-01' }) },
  'license.verify': { as: () => who.douane!, body: () => ({ issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: { date: '2026-11-22', destinationCountry: 'SG', items: [{ controlCode: '6A003.b.4', quantity: 1 }] } }) },
  'license.drawdown': { as: () => who.douane!, body: () => ({ issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', declarationId: uid('D'), date: '2026-11-22', items: [{ line: 1, quantity: 1 }] }) },
  'audit.query': { as: () => who.olaf!, body: () => ({ limit: 5 }) },
  'notification.list': { as: () => who.douane!, body: () => ({ since: '2026-11-22T00:00:00Z' }) },
  'license.publish': { as: () => who.bafa!, body: () => ({ document: licenseDoc({ licenseId: uid('L') }) }) },
  'euc.publish': { as: () => who.mti!, body: () => ({ document: eucDoc({ eucId: uid('E') }) }) },
  'delivery.confirm': { as: () => who.douane!, body: () => confirmBody({ importDeclarationId: uid('I') }) },
  'psv.request': { as: () => who.bafa!, body: () => psvRequestBody({ caseId: uid('C'), dueDate: '2027-01-01' }) },
  // reports on the one case opened in beforeAll: the first stored, later ones refused by the version rules (never 503)
  'psv.report': { as: () => who.mti!, body: () => ({ document: psvReportDoc({ caseId: 'PSV-DATES' }) }) },
  'denial.notify': { as: () => who.bafa!, body: () => ({ document: denialDoc({ denialId: uid('DEN'), validUntil: '2027-01-01' }) }) },
};

function setAt(target: Record<string, unknown>, path: (string | number)[], value: string): void {
  let o = target as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path.at(-1)!] = value;
}

const answered: { act: string; field: string; value: string; status: number; type?: string }[] = [];

async function send(act: ActionName, fields: DateField[], value: string, label: string): Promise<Answer> {
  const base = BASES[act]!;
  const body = base.body();
  const docKind = DOCUMENT_OF[act];
  const target = docKind ? (body.document as Record<string, unknown>) : body;
  for (const f of fields) setAt(target, f.path, value);
  if (docKind) body.document = await signDocument(base.as().privateJwk, `corridor-${docKind}+jws`, target);
  const a = await x.call(base.as(), act, body);
  answered.push({ act, field: label, value, status: a.status, type: a.problem?.type });
  if (a.status === 201 && (docKind === 'license' || docKind === 'euc')) await probeStored(docKind, target);
  return a;
}

/** A document stored with edge-case dates is then used: verified, drawn on, listed, queried. */
async function probeStored(kind: 'license' | 'euc', doc: Record<string, unknown>): Promise<void> {
  const calls: [TestAgency, ActionName, Record<string, unknown>][] = kind === 'license'
    ? [
      [who.douane!, 'license.verify', { issuer: 'DE-BAFA', licenseId: doc.licenseId, shipment: { date: '2026-11-22', destinationCountry: 'SG', items: [{ controlCode: '6A003.b.4', quantity: 1 }] } }],
      [who.douane!, 'license.drawdown', { issuer: 'DE-BAFA', licenseId: doc.licenseId, declarationId: uid('P'), date: String(doc.validFrom), items: [{ line: 1, quantity: 1 }] }],
      [who.bafa!, 'license.drawdowns', { licenseId: doc.licenseId }],
    ]
    : [[who.douane!, 'euc.query', { issuer: 'SG-MTI', eucId: doc.eucId }]];
  for (const [as, act, body] of calls) {
    const a = await x.call(as, act, body);
    answered.push({ act, field: `after publish ${String(doc.issuedAt)} ${String(doc.validFrom ?? '')}..${String(doc.validUntil)}`, value: '', status: a.status, type: a.problem?.type });
  }
}

beforeAll(async () => {
  x = await TestExchange.create();
  who = {
    bafa: await x.agency('DE-BAFA', ['licensing']),
    douane: await x.agency('NL-DOUANE', ['customs']),
    fr: await x.agency('FR-DGDDI', ['customs']),
    mti: await x.agency('SG-MTI', ['euc-issuer']),
    olaf: await x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' }),
  };
  await x.call(who.bafa!, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown'] });
  await x.call(who.mti!, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'euc', permissions: ['verify'] });
  await x.call(who.bafa!, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'drawdown', 'confirm'] });
  await x.call(who.mti!, 'agreement.put', { partner: 'DE-BAFA', documentType: 'psv', permissions: ['request'] });
  expect((await x.call(who.bafa!, 'license.publish', { document: await signDocument(who.bafa!.privateJwk, 'corridor-license+jws', licenseDoc()) })).status).toBe(201);
  expect((await x.call(who.bafa!, 'psv.request', psvRequestBody({ caseId: 'PSV-DATES' }))).status).toBe(201);
});

describe('date and date-time fields: no valid body answers 503', () => {
  const withDates = (Object.keys(BODY_SCHEMAS) as ActionName[]).map((act) => {
    const docKind = DOCUMENT_OF[act];
    return { act, fields: docKind ? dateFields(DOCUMENT_SCHEMAS[docKind]!) : dateFields(BODY_SCHEMAS[act]) };
  }).filter((a) => a.fields.length > 0);

  it('finds the date fields of every action and has a body for each action that has any', () => {
    const found = withDates.map(({ act, fields }) => `${act}: ${fields.map((f) => `${f.path.join('/')} (${f.kind})`).join(', ')}`);
    expect(found).toEqual(expect.arrayContaining([
      'agreement.put: validUntil (date)',
      'license.verify: shipment/date (date)',
      'license.drawdown: date (date)',
      'audit.query: from (dateTime), to (dateTime)',
      'license.publish: issuedAt (dateTime), validFrom (date), validUntil (date)',
      'euc.publish: issuedAt (dateTime), validUntil (date)',
      'denial.notify: issuedAt (dateTime), date (date), validUntil (date)',
    ]));
    expect(withDates.map((a) => a.act).filter((act) => !BASES[act])).toEqual([]);
    // The schema check lets these through, so the exchange must answer them without a 503.
    expect(accepted('dateTime')).toEqual(expect.arrayContaining(['2016-12-31T23:59:60Z', '2016-12-31T18:59:60-05:00', '2016-12-31T10:00:00+05', '0000-01-01T00:00:00+01:00']));
    expect(accepted('date')).toEqual(expect.arrayContaining(['0000-01-01', '0000-02-29', '9999-12-31']));
  });

  it('every field alone, and every field of a kind at once, with every accepted edge case: signed, never 503', async () => {
    // An action without a base body is reported by the test above; the others are all sent here.
    for (const { act, fields } of withDates.filter((a) => BASES[a.act])) {
      for (const kind of ['date', 'dateTime'] as const) {
        const ofKind = fields.filter((f) => f.kind === kind);
        for (const value of accepted(kind)) {
          for (const f of ofKind) await send(act, [f], value, f.path.join('/'));
          if (ofKind.length > 1) await send(act, ofKind, value, ofKind.map((f) => f.path.join('/')).join('+'));
        }
      }
    }
    expect(answered.length).toBeGreaterThan(150);
    expect(answered.filter((a) => a.status >= 500).map((a) => `${a.act} ${a.field}=${a.value} → ${a.status} ${a.type}`)).toEqual([]);
    // Refusals of these bodies are about the body or the document, never anything else unexpected.
    const refusedAs = new Set(answered.filter((a) => a.status === 400).map((a) => a.type));
    expect([...refusedAs].every((t) => t === 'urn:corridor:problem:body-invalid' || t === 'urn:corridor:problem:document-invalid')).toBe(true);
  });

  it('a leap second in audit.query from/to is 400 body-invalid at the field, as for a publish issuedAt', async () => {
    for (const field of ['from', 'to'] as const) {
      const a = await x.call(who.olaf!, 'audit.query', { [field]: '2016-12-31T23:59:60Z' });
      expect([a.status, a.problem?.type]).toEqual([400, 'urn:corridor:problem:body-invalid']);
      expect(a.problem.errors).toContainEqual({ pointer: `/body/${field}`, detail: expect.stringMatching(/date-time/) });
    }
    const pub = await x.call(who.bafa!, 'license.publish', { document: await signDocument(who.bafa!.privateJwk, 'corridor-license+jws', licenseDoc({ licenseId: 'LEAP', issuedAt: '2016-12-31T23:59:60Z' })) });
    expect([pub.status, pub.problem?.type]).toEqual([400, 'urn:corridor:problem:document-invalid']);
    expect(pub.problem.errors?.[0]?.pointer).toBe('/body/document/payload/issuedAt');
  });
});
