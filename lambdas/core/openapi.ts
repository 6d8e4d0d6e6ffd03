/**
 * `GET /openapi.json` (PROTOCOL §4): an OpenAPI 3.1 description generated from `schemas/` and
 * the route table, so it cannot drift from what the exchange validates. Every action is a POST
 * of a compact JWS (`application/jose`); its `body` claim's schema is in
 * `components.schemas` and named by `x-corridor-body`. Result schemas per action and a
 * build-time document with validator checks are issue 7's.
 */
import { ERRORS } from './errors.ts';
import { ACTION_ROUTES, PUBLIC_ROUTES } from './routes.ts';
import { BODY_SCHEMAS, COMMON_SCHEMA, DOCUMENT_SCHEMAS, type JsonSchema } from './schema-registry.ts';

const URN = /^urn:corridor:schema:([A-Za-z0-9.]+)(#.*)?$/;

/**
 * A schema as component `name`: `$id`/`$schema` dropped; `urn:corridor:schema:x#/p` refs become
 * `#/components/schemas/x/p`, and the schema's own `#/p` refs `#/components/schemas/<name>/p`.
 */
function component(name: string, schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => {
    if (key === '$id' || key === '$schema') return undefined;
    if (key === '$ref' && typeof value === 'string') {
      const m = URN.exec(value);
      if (m) return `#/components/schemas/${m[1]}${(m[2] ?? '#').slice(1)}`;
      if (value.startsWith('#/')) return `#/components/schemas/${name}${value.slice(1)}`;
    }
    return value;
  })) as JsonSchema;
}

const JWS = { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$', maxLength: 262144 };
const JSON_OK = { 'application/json': { schema: { type: 'object' } } };

function actionOperation(act: string): Record<string, unknown> {
  return {
    operationId: act.replace('.', '_'),
    summary: `${act} (signed request, signed response)`,
    'x-corridor-act': act,
    'x-corridor-body': { $ref: `#/components/schemas/${act}.request` },
    requestBody: {
      required: true,
      description: `A compact JWS, header exactly {alg: ES256|EdDSA, kid, typ: "corridor-request+jws"}, payload exactly {iss, aud, iat, exp, jti, act: "${act}", body}; body as x-corridor-body.`,
      content: { 'application/jose': { schema: { $ref: '#/components/schemas/CompactJws' } } },
    },
    responses: Object.fromEntries(['200', '201', '400', '401', '403', '404', '409', '413', '415', '429', '503'].map((s) => [s, { $ref: '#/components/responses/Signed' }])),
  };
}

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = {
    common: component('common', COMMON_SCHEMA),
    license: component('license', DOCUMENT_SCHEMAS.license),
    euc: component('euc', DOCUMENT_SCHEMAS.euc),
    CompactJws: JWS,
    Problem: {
      type: 'object',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', enum: Object.values(ERRORS).map((e) => `urn:corridor:problem:${e.slug}`) },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        errors: { type: 'array', items: { type: 'object', required: ['pointer', 'detail'], properties: { pointer: { type: 'string' }, detail: { type: 'string' } } } },
      },
    },
  };
  for (const [act, schema] of Object.entries(BODY_SCHEMAS)) schemas[`${act}.request`] = component(`${act}.request`, schema);
  const paths: Record<string, unknown> = {};
  for (const r of ACTION_ROUTES) paths[r.path] = { post: actionOperation(r.act) };
  for (const [name, path] of Object.entries(PUBLIC_ROUTES)) {
    paths[path] = { get: { operationId: `get_${name}`, summary: `public ${name} (plain JSON, not audited)`, responses: { '200': { description: 'OK', content: name === 'console' ? { 'text/html': {} } : JSON_OK } } } };
  }
  paths['/openapi.json'] = { get: { operationId: 'get_openapi', summary: 'this document', responses: { '200': { description: 'OK', content: JSON_OK } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'Corridor exchange', version: '1', description: 'Signed, audited exchange of export licenses and end-use certificates. Wire contract: PROTOCOL.md.' },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas,
      responses: {
        Signed: {
          description: 'A compact JWS by the exchange, header {alg: ES256, kid ∈ responseKeyIds, typ: "corridor-response+jws"}, payload {iss, aud?, iat, jti, irt?, rqd, status, result | problem (components.schemas.Problem), auditId?}.',
          content: { 'application/jose': { schema: { $ref: '#/components/schemas/CompactJws' } } },
        },
      },
    },
  };
}
