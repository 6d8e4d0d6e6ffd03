// GET /openapi.json (protocol.md §4): the generated document is what schemas/ and the tables build today, a
// valid OpenAPI 3.1 document by an independent validator, names every configured action and every problem
// type of the error table with its status, and its envelope schemas describe real signed messages.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../lambdas/client/signing.ts';
import { configuration } from '../../lambdas/core/discovery.ts';
import { ERRORS } from '../../lambdas/core/errors.ts';
import { buildOpenApi } from '../../lambdas/core/openapi.ts';
import { OPENAPI_JSON } from '../../lambdas/core/openapi.generated.ts';
import { ACTION_ROUTES, PUBLIC_ROUTES } from '../../lambdas/core/routes.ts';
import { readSchemaFiles } from '../../scripts/schema-files.ts';
import { makeKey } from '../helpers/keys.ts';
import { EXCHANGE_ID, TestExchange } from '../helpers/memory-exchange.ts';

type Node = Record<string, unknown>;
interface Operation { requestBody: { content: Record<string, { schema: Node }> }; responses: Record<string, Node>; 'x-corridor-act': string }
const doc = JSON.parse(OPENAPI_JSON) as Node & { paths: Record<string, { post?: Operation; get?: Node }>; components: { schemas: Record<string, Node>; responses: Record<string, Node> } };
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' && typeof x === 'string' ? out.push(x) : refs(x, out);
  return out;
}
const unescape = (p: string): string => p.replace(/~1/g, '/').replace(/~0/g, '~');
const at = (pointer: string): unknown => pointer.slice(2).split('/').reduce<unknown>((n, part) => (n as Node | undefined)?.[unescape(part)], doc);
const escape = (p: string): string => p.replace(/~/g, '~0').replace(/\//g, '~1');

describe('openapi.json as generated at build time', () => {
  it('is exactly what schemas/ and the route, role and error tables build now (npm run generate is current)', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi(readSchemaFiles()))));
  });

  it('429 and 503 refusals describe the Retry-After header the edge sends; other refusals have none', () => {
    for (const status of ['429', '503']) {
      expect(at(`#/components/responses/refusal.${status}/headers/Retry-After/schema`), status).toEqual({ type: 'integer', minimum: 1 });
    }
    for (const status of ['400', '401', '403', '404', '409', '413', '415']) expect(at(`#/components/responses/refusal.${status}/headers`), status).toBeUndefined();
  });

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator) whose $refs all resolve', async () => {
    const validator = new Validator();
    const res = await validator.validate(structuredClone(doc));
    expect(res.errors ?? []).toEqual([]);
    expect([res.valid, validator.version]).toEqual([true, '3.1']);
    expect(() => validator.resolveRefs()).not.toThrow();
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(150);
    for (const r of all) expect(r.startsWith('#/') && at(r) !== undefined, r).toBe(true);
    expect(OPENAPI_JSON).not.toContain('urn:corridor:schema');
  });

  it('the validator is not vacuous: it refuses the document without info, or with a dangling $ref', async () => {
    const { info: _, ...noInfo } = structuredClone(doc);
    expect((await new Validator().validate(noInfo)).valid).toBe(false);
    const dangling = structuredClone(doc);
    dangling.paths['/v1/licenses']!.post!.responses['401'] = { $ref: '#/components/responses/refusal.418' };
    expect((await new Validator().validate(dangling)).valid).toBe(false);
  });

  it('every component schema is a valid JSON Schema 2020-12 (the validator does not look inside Schema Objects)', () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) expect(ajv.validateSchema(schema) ? [] : ajv.errors, name).toEqual([]);
  });

  it('describes every action of /.well-known/corridor-configuration as a POST of application/jose, with its body, result and roles', async () => {
    const cfg = await configuration((await TestExchange.create()).services, 'https://exchange.example');
    const actions = cfg.actions as { act: string; route: string }[];
    expect(actions).toHaveLength(ACTION_ROUTES.length);
    for (const { act, route } of actions) {
      const op = doc.paths[route.replace(/^POST /, '')]?.post;
      expect(op?.['x-corridor-act'], route).toBe(act);
      expect(Object.keys(op!.requestBody.content)).toEqual(['application/jose']);
      expect(op!['x-corridor-roles' as keyof Operation]).toBeDefined();
      expect(doc.components.schemas[`${act}.request`]).toBeDefined();
      expect(doc.components.schemas[`${act}.result`]).toBeDefined();
      const success = Object.keys(op!.responses).filter((s) => s < '300');
      expect(success.length, act).toBeGreaterThan(0);
      expect(Object.keys(op!.responses).filter((s) => s >= '300').sort()).toEqual(['400', '401', '403', '404', '409', '413', '415', '429', '503']);
    }
    for (const p of [...Object.values(PUBLIC_ROUTES), '/openapi.json']) expect(doc.paths[p]?.get, p).toBeDefined();
  });

  it('lists every problem type of the error table under its status, with its title', () => {
    for (const e of Object.values(ERRORS)) {
      const schema = doc.components.schemas[`problem.${e.status}`] as { properties: { status: { const: number } }; oneOf: { properties: { type: { const: string }; title: { const: string } } }[] };
      expect(schema.properties.status.const).toBe(e.status);
      expect(schema.oneOf.map((b) => [b.properties.type.const, b.properties.title.const])).toContainEqual([`urn:corridor:problem:${e.slug}`, e.title]);
      expect(String(doc.components.responses[`refusal.${e.status}`]!.description)).toContain(`urn:corridor:problem:${e.slug}`);
    }
    const listed = Object.keys(doc.components.schemas).filter((n) => n.startsWith('problem.')).flatMap((n) => (doc.components.schemas[n]!.oneOf as unknown[]));
    expect(listed).toHaveLength(Object.keys(ERRORS).length);
  });
});

describe('the envelope schemas of openapi.json against real signed messages', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: 'urn:test:openapi' });
  const check = (pointer: string, value: unknown): void => {
    const v = ajv.getSchema(`urn:test:openapi#${pointer}`)!;
    expect(v(value) ? [] : v.errors, pointer).toEqual([]);
  };
  const decoded = (jws: string) => ({ header: decodeProtectedHeader(jws), payload: decodeJwt(jws) });
  const content = (path: string, where: string): string => `/paths/${escape(path)}/post/${where}/content/application~1jose/schema/contentSchema`;
  let x: TestExchange;
  beforeAll(async () => {
    x = await TestExchange.create();
  });

  it('a request and its 201 answer match the operation; a refusal matches components.responses.refusal.400', async () => {
    const key = await makeKey('de-bafa-1');
    const body = { agencyId: 'DE-BAFA', name: 'BAFA', roles: ['licensing'], keys: [{ kid: key.kid, jwk: key.publicJwk }] };
    const { jws } = await signRequest(x.operator, EXCHANGE_ID, 'agency.register', body, { iat: x.nowSeconds() });
    const created = await x.send('agency.register', jws);
    expect(created.status).toBe(201);
    check(content('/v1/admin/agencies', 'requestBody'), decoded(jws));
    check(content('/v1/admin/agencies', 'responses/201'), decoded(created.raw.body));

    const refused = await x.call(x.operator, 'agency.register', { ...body, extra: true });
    expect(refused.status).toBe(400);
    check('/components/responses/refusal.400/content/application~1jose/schema/contentSchema', decoded(refused.raw.body));
    // and the schemas are not vacuous: a request posted to another action's route does not match
    const v = ajv.getSchema(`urn:test:openapi#${content('/v1/agencies/keys', 'requestBody')}`)!;
    expect(v(decoded(jws))).toBe(false);
  });
});
