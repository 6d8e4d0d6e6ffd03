/**
 * The OpenAPI 3.1 description served at `GET /openapi.json` (protocol.md §4), built from
 * `schemas/` (the one source of truth: the exchange validates against the same files), the
 * route table, the role table and the error table. Built by scripts/generate-openapi.ts at
 * build time into a generated module the discovery handler serves as is, so no schema is
 * walked at init. Every action is a POST of a compact JWS (`application/jose`) whose decoded
 * header and payload are given by `contentSchema`; so is every answer.
 */
import {
  component, componentName, jws, jwsComponents, PLAIN_ERROR, problemSchemas, ref, refusalResponses, REFUSAL_STATUSES, signedSuccess, type JsonSchema,
} from './openapi-components.ts';
import { ACTION_ROLES } from './policy.ts';
import { ACTION_ROUTES, PUBLIC_ROUTES, type ActionName } from './routes.ts';

export type { JsonSchema } from './openapi-components.ts';

/** What each action answers on success (protocol.md §3: 201 only when something new was created). */
export const ACTION_SUCCESS: Record<ActionName, { readonly summary: string; readonly 200?: string; readonly 201?: string }> = {
  'agency.register': { summary: 'Create an agency with its first keys, or change its name, roles, auditScope, status, or revoke its keys', 201: 'Agency created', 200: 'Agency changed' },
  'agency.keys': { summary: 'The calling agency adds keys, or retires or revokes its own keys', 200: 'Keys changed' },
  'agreement.put': { summary: "The data owner grants or withdraws (empty list) a partner's permissions on its documents of one type", 201: 'The partner got permissions it did not have', 200: 'Permissions changed or withdrawn' },
  'agreement.list': { summary: 'The caller\'s own agreements, given and received, page by page', 200: 'A page of agreements' },
  'subscription.put': { summary: 'Where the caller\'s notifications are POSTed and which types it wants (replaces the previous subscription; events [] turns it off)', 200: 'The subscription as stored' },
  'subscription.get': { summary: 'The caller\'s subscription, or null', 200: 'The subscription' },
  'notification.list': { summary: 'The caller\'s notifications of the last 30 days whatever their delivery, each as the JWS delivered, newest last, page by page', 200: 'A page of notifications' },
  'license.publish': { summary: "Publish a license the caller signed (a higher version supersedes)", 201: 'License version stored' },
  'license.status': { summary: "Set the owner's license to active, suspended or revoked, with a reason", 200: 'Status set' },
  'license.verify': { summary: "Check a shipment against a partner's license; the signed document only with read", 200: 'Checks done (outcome valid or invalid)' },
  'license.drawdown': { summary: "Record a declaration's quantities against license lines: all or none, never below zero, idempotent", 201: 'Drawdown recorded', 200: 'The same declaration with the same content: the stored original, replayed: true' },
  'license.drawdowns': { summary: 'The drawdowns recorded against one of the caller\'s licenses, page by page', 200: 'A page of drawdowns, by customs agency and declaration id' },
  'delivery.confirm': { summary: "Customs of the destination country confirms that goods shipped under a partner's license arrived: idempotent per import declaration", 201: 'Confirmation recorded', 200: 'The same import declaration with the same content: the stored original, replayed: true' },
  'delivery.list': { summary: 'The delivery confirmations of a license, page by page: the issuer sees all, with shipped / delivered / outstanding and flags per line; a confirming agency its own', 200: 'A page of confirmations (the line summary on the first page)' },
  'psv.request': { summary: 'A licensing authority asks a partner agency for an on-site post-shipment verification under one of its licenses', 201: 'Case opened', 200: 'The same case with the same content: the stored case, replayed: true' },
  'psv.report': { summary: 'The checking agency reports on a case with a report it signed (a correction is the next version)', 201: 'Report version stored', 200: 'The current version sent again: replayed: true' },
  'psv.query': { summary: "One case, with its status, request and report as signed; or the caller's cases, page by page", 200: 'The case, or a page of cases' },
  'euc.publish': { summary: 'Publish an end-use certificate the caller signed (a higher version supersedes)', 201: 'Certificate version stored' },
  'euc.status': { summary: "Set the owner's certificate to active, suspended or revoked, with a reason", 200: 'Status set' },
  'euc.query': { summary: "Confirm a partner's end-use certificate, with optional end-user and item checks; the document only with read", 200: 'Checks done (outcome valid or invalid)' },
  'audit.query': { summary: "Audit events in the caller's scope, oldest first, page by page", 200: 'A page of events' },
  'audit.proof': { summary: 'An event in scope, the seal covering it and its inclusion proof (404 until sealed)', 200: 'Event, seal and path' },
  'audit.seals': { summary: 'Up to 100 seals from fromSeq (fewer past the byte cap), optionally with their leaf hashes', 200: 'Seals, and next: the first seq left out' },
  'denial.notify': { summary: 'Share a denial the caller signed (a higher version amends it); screened by partners with a denial agreement', 201: 'Denial version stored' },
  'denial.revoke': { summary: "Revoke the caller's denial, with a reason (final)", 200: 'Denial revoked' },
  'screening.check': { summary: 'Screen up to 100 parties (and items) against every active denial the caller may see: matches with scores and reasons', 200: 'Matches per party (none is a result too)' },
  'consultation.open': { summary: "Consult the authority that denied an essentially identical transaction, on a denial the caller can see", 201: 'Consultation opened, with its deadline' },
  'consultation.answer': { summary: 'The consulted authority answers: maintained, withdrawn (revokes the denial) or information (may extend the deadline once)', 200: 'The consultation after the answer' },
  'consultation.list': { summary: "The caller's consultations, both sides, oldest first, page by page", 200: 'A page of consultations' },
};

function actionOperation(act: ActionName, group: string): JsonSchema {
  const doc = ACTION_SUCCESS[act];
  const roles = ACTION_ROLES[act];
  const payload = { allOf: [ref('request.claims')], properties: { act: { const: act }, body: ref(`${act}.request`) } };
  const responses: Record<string, JsonSchema> = {};
  for (const status of [200, 201] as const) {
    const description = doc[status];
    if (description) responses[String(status)] = signedSuccess(status, `${act}.result`, description);
  }
  for (const status of REFUSAL_STATUSES) responses[String(status)] = { $ref: `#/components/responses/refusal.${status}` };
  return {
    operationId: act.replace('.', '_'),
    tags: [group],
    summary: doc.summary,
    description: `Signed request, signed and audited response. Callers: ${roles === 'any' ? 'any active agency, for itself' : roles.join(', ')}. Body: components.schemas["${act}.request"]; result: components.schemas["${act}.result"].`,
    'x-corridor-act': act,
    'x-corridor-roles': roles,
    'x-corridor-body': ref(`${act}.request`),
    'x-corridor-result': ref(`${act}.result`),
    requestBody: {
      required: true,
      description: `Signed request (components.schemas["jws.request"]) with act "${act}"`,
      content: { 'application/jose': { schema: jws('request', ref('request.header'), payload) } },
    },
    responses,
  };
}

const json = (schema: JsonSchema, description: string): JsonSchema => ({ description, content: { 'application/json': { schema } } });
const PLAIN_503 = json(ref('plainError'), 'A dependency failed (plain JSON)');

function publicPaths(): Record<string, JsonSchema> {
  const get = (name: string, summary: string, ok: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({
    get: { operationId: `get_${name}`, tags: ['public'], summary, responses: { '200': ok, ...extra } },
  });
  return {
    [PUBLIC_ROUTES.configuration]: get('configuration', 'Exchange id, actions and routes, algorithms, limits, response and seal key ids (plain JSON, not audited)', json(ref('configuration'), 'The configuration'), { '503': PLAIN_503 }),
    [PUBLIC_ROUTES.jwks]: get('jwks', "The exchange's public keys: response keys (current and previous) and seal keys", json(ref('jwks', '/$defs/exchange'), 'JWK set'), { '503': PLAIN_503 }),
    [PUBLIC_ROUTES.agencyJwks]: {
      parameters: [{ name: 'agencyId', in: 'path', required: true, schema: ref('common', '/$defs/agencyId') }],
      ...get('agency_jwks', "An agency's public keys with status, retiredAt and revokedAt, to verify its documents offline", json(ref('jwks', '/$defs/agency'), 'JWK set with key status'), {
        '404': json(ref('plainError'), 'No such agency'),
        '503': PLAIN_503,
      }),
    },
    '/openapi.json': get('openapi', 'This document', json({ type: 'object', description: 'OpenAPI 3.1 document' }, 'OpenAPI 3.1 document')),
    [PUBLIC_ROUTES.console]: get('console', 'The auditor web console (static page; its files are below /console/)', { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }),
  };
}

/** The whole document from every schema file of `schemas/` (each named by its `$id`). */
export function buildOpenApi(schemaFiles: readonly JsonSchema[]): JsonSchema {
  const schemas: Record<string, JsonSchema> = {};
  for (const s of schemaFiles) {
    const name = componentName(s);
    if (schemas[name]) throw new Error(`two schema files with $id ${String(s.$id)}`);
    schemas[name] = component(name, s);
  }
  for (const act of ACTION_ROUTES.map((r) => r.act)) {
    for (const part of ['request', 'result']) if (!schemas[`${act}.${part}`]) throw new Error(`schemas/ has no ${act}.${part}`);
  }
  Object.assign(schemas, jwsComponents(), problemSchemas(), { plainError: PLAIN_ERROR });
  const paths: Record<string, JsonSchema> = {};
  for (const r of ACTION_ROUTES) paths[r.path] = { post: actionOperation(r.act, r.group) };
  Object.assign(paths, publicPaths());
  return {
    openapi: '3.1.0',
    info: {
      title: 'Corridor exchange',
      version: '1',
      summary: 'Signed, audited exchange of export licenses and end-use certificates between agencies',
      description: 'Wire contract: protocol.md (version 1). Authentication is in the message, not in HTTP: every action is a POST of a compact JWS signed by the calling agency, and every answer to an action, success or refusal, is a compact JWS signed by the exchange, recorded in the sealed audit log (auditId). The public GETs are plain JSON and are not audited. Answers from in front of the exchange are plain and unsigned: API Gateway throttling (429), and, on a deployment behind CloudFront, a 403 application/problem+json (about:blank) for a request that bypassed CloudFront — neither reaches the audit log. Retry-After (whole seconds) comes with 429 and with curable 503 answers.',
    },
    servers: [{ url: '/', description: 'The exchange that serves this document' }],
    tags: [...new Set(ACTION_ROUTES.map((r) => r.group)), 'public'].map((name) => ({ name })),
    paths,
    components: { schemas, responses: refusalResponses() },
  };
}
