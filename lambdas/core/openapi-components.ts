/**
 * Build-time pieces of the OpenAPI document (scripts/generate-openapi.ts): schemas/ as
 * components, the signed envelope as JWS strings whose decoded header and payload are given
 * by `contentSchema`, and one problem schema per HTTP status listing every problem type of
 * the error table with that status. Never imported at run time: the handler serves the
 * generated JSON.
 */
import { ERRORS, type HttpStatus } from './errors.ts';

export type JsonSchema = Record<string, unknown>;

const URN = /^urn:corridor:schema:([A-Za-z0-9.-]+)(#.*)?$/;
export const ref = (name: string, pointer = ''): JsonSchema => ({ $ref: `#/components/schemas/${name}${pointer}` });

/** The component name of a schema file: its `$id` after `urn:corridor:schema:`. */
export function componentName(schema: JsonSchema): string {
  const m = URN.exec(String(schema.$id));
  if (!m || m[2]) throw new Error(`schema $id ${String(schema.$id)} is not urn:corridor:schema:<name>`);
  return m[1]!;
}

/**
 * A schema as component `name`: `$id`/`$schema` dropped; `urn:corridor:schema:x#/p` refs become
 * `#/components/schemas/x/p`, and the schema's own `#/p` refs `#/components/schemas/<name>/p`.
 */
export function component(name: string, schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema, (key, value: unknown) => {
    if (key === '$id' || key === '$schema') return undefined;
    if (key === '$ref' && typeof value === 'string') {
      const m = URN.exec(value);
      if (m) return `#/components/schemas/${m[1]}${(m[2] ?? '#').slice(1)}`;
      if (value.startsWith('#/')) return `#/components/schemas/${name}${value.slice(1)}`;
      throw new Error(`${name}: $ref ${value} cannot be placed in components`);
    }
    return value;
  })) as JsonSchema;
}

/**
 * The two JWS components: the string itself, described once. Each use adds, as siblings,
 * `contentMediaType` and a `contentSchema` for the decoded form: `header` (the protected header,
 * 1st segment) and `payload` (2nd segment), each the base64url-decoded JSON.
 */
export function jwsComponents(): Record<string, JsonSchema> {
  const base = { type: 'string', maxLength: 262144, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' };
  return {
    'jws.request': {
      ...base,
      description: 'A compact JWS (RFC 7515) signed by an active key of iss, at most 262,144 bytes, Content-Type application/jose. Protected header exactly {alg, kid, typ}; payload exactly {iss, aud, iat, exp, jti, act, body} without duplicate member names; schemas are closed (an unknown member anywhere is refused with 400, never stripped). contentSchema gives the decoded header and payload.',
    },
    'jws.response': {
      ...base,
      description: 'A compact JWS by the exchange, Content-Type application/jose. Verify it with a key of /.well-known/jwks.json whose kid is in responseKeyIds; check rqd against the request you sent, and aud and irt, when present, against your agency and its jti (a success carries both; only a 400, 401, 413, 415 or 503 may lack them: protocol.md §3). contentSchema gives the decoded header and payload.',
    },
  };
}

/** A JWS of kind `request` / `response` whose decoded header and payload are these schemas. */
export function jws(kind: 'request' | 'response', header: JsonSchema, payload: JsonSchema): JsonSchema {
  // allOf, not a $ref with siblings: common resolvers replace a $ref object whole, dropping (and tripping over) its siblings
  return {
    allOf: [ref(`jws.${kind}`)],
    contentMediaType: 'application/jose',
    contentSchema: { type: 'object', additionalProperties: false, required: ['header', 'payload'], properties: { header, payload } },
  };
}

/** The HTTP statuses of the error table (each carries a problem), ascending. */
export const REFUSAL_STATUSES: readonly HttpStatus[] = [...new Set(Object.values(ERRORS).map((e) => e.status))].sort((a, b) => a - b);

/** `problem.<status>`: the problem schema narrowed to one status, one branch per problem type. */
export function problemSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const status of REFUSAL_STATUSES) {
    const types = Object.values(ERRORS).filter((e) => e.status === status);
    out[`problem.${status}`] = {
      description: `Problem types answered with ${status}: ${types.map((e) => e.slug).join(', ')}.`,
      allOf: [ref('problem')],
      properties: { status: { const: status } },
      oneOf: types.map((e) => ({
        title: e.slug,
        properties: { type: { const: `urn:corridor:problem:${e.slug}` }, title: { const: e.title } },
      })),
    };
  }
  return out;
}

/** Payload of a signed response with `status` and either a result (an authenticated, audited call: aud, irt, auditId) or a problem. */
function responseClaims(status: number, member: 'result' | 'problem', schema: JsonSchema): JsonSchema {
  const required = member === 'result' ? ['result', 'aud', 'irt', 'auditId'] : ['problem'];
  return { allOf: [ref('response.claims')], required, properties: { status: { const: status }, [member]: schema } };
}

export function signedSuccess(status: 200 | 201, resultSchema: string, description: string): JsonSchema {
  return {
    description,
    content: { 'application/jose': { schema: jws('response', ref('response.header'), responseClaims(status, 'result', ref(resultSchema))) } },
  };
}

/** Sent with a 429 (seconds until the agency's bucket refills) and with a curable 503 (1 s); never in the signed body. */
const RETRY_AFTER: JsonSchema = {
  description: 'Whole seconds (≥ 1) before a new attempt, with a new jti, can succeed (RFC 9110 §10.2.3). Not covered by the signature: a floor for backoff, not a promise.',
  schema: { type: 'integer', minimum: 1 },
};
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** `components.responses.refusal.<status>`: signed, and for 503 also the one unsigned form. */
export function refusalResponses(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const status of REFUSAL_STATUSES) {
    const types = Object.values(ERRORS).filter((e) => e.status === status).map((e) => `\`urn:corridor:problem:${e.slug}\` (${e.title})`);
    const content: JsonSchema = { 'application/jose': { schema: jws('response', ref('response.header'), responseClaims(status, 'problem', ref(`problem.${status}`))) } };
    let note = '';
    if (status === 503) {
      content['application/problem+json'] = { schema: ref(`problem.${status}`) };
      note = ' Unsigned (application/problem+json) only when the exchange cannot obtain its signing key; treat an unsigned answer as untrusted.';
    }
    if (status === 429) note = ' Throttling before the handler (API Gateway) may answer unsigned; treat an unsigned answer as untrusted.';
    out[`refusal.${status}`] = { description: `Signed refusal, problem type one of: ${types.join('; ')}.${note}`, content, ...(RETRY_AFTER_STATUSES.has(status) ? { headers: { 'Retry-After': RETRY_AFTER } } : {}) };
  }
  return out;
}

/** The plain JSON error of the public GETs (not signed, not audited). */
export const PLAIN_ERROR: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'status'],
  properties: {
    type: { type: 'string', const: 'about:blank' },
    title: { type: 'string', maxLength: 100 },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', maxLength: 200 },
  },
};
