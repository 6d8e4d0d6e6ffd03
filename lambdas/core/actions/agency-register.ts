/**
 * `agency.register` (operator): create an agency with its first keys (201), or change an
 * existing one's name, roles, auditScope, status, or revoke its keys. The operator can
 * never add a key to an existing agency, so it can never sign as one.
 */
import type { JWK } from 'jose';
import { agencyView, agencyWrite, type Agency, type AgencyKey, type Role } from '../agencies.ts';
import { CorridorError, refuse, type FieldError } from '../errors.ts';
import { acceptPublicKey } from '../jwk.ts';
import { keyNotices } from '../notifications/notices.ts';
import { outboxWrites } from '../notifications/outbox.ts';
import { isoNow, type ActionContext, type ActionOutcome } from '../services.ts';
import { addedKey, assertDistinctKids, transitionKey, type KeyChange } from './key-changes.ts';

export interface RegisterBody {
  agencyId: string;
  name?: string;
  roles?: Role[];
  auditScope?: 'own' | 'all';
  status?: 'active' | 'suspended';
  keys?: { kid: string; jwk: JWK }[];
  revoke?: string[];
}

async function create(ctx: ActionContext, body: RegisterBody, nowIso: string): Promise<ActionOutcome> {
  const missing: FieldError[] = (['name', 'roles', 'keys'] as const).filter((f) => body[f] === undefined).map((f) => ({ pointer: `/body/${f}`, detail: 'is required to create an agency' }));
  if (body.revoke) missing.push({ pointer: '/body/revoke', detail: 'a new agency has no keys to revoke' });
  if (missing.length) refuse('ERR_BODY_INVALID', `agency ${body.agencyId} does not exist; creating it needs name, roles and keys`, missing);
  const roles = body.roles!;
  if (body.auditScope && !roles.includes('auditor')) refuse('ERR_BODY_INVALID', 'auditScope applies only to auditors', [{ pointer: '/body/auditScope', detail: 'needs the auditor role' }]);
  assertDistinctKids([body.keys!.map((k) => k.kid)]);
  const keys: AgencyKey[] = [];
  for (const [i, k] of body.keys!.entries()) keys.push(await acceptPublicKey(k.kid, k.jwk, `/body/keys/${i}/jwk`, nowIso));
  if (new Set(keys.map((k) => k.thumbprint)).size !== keys.length) refuse('ERR_BODY_INVALID', 'the same public key is listed under two kids');
  const agency: Agency = {
    agencyId: body.agencyId,
    country: body.agencyId.slice(0, 2),
    name: body.name!,
    roles,
    status: body.status ?? 'active',
    keys,
    createdAt: nowIso,
    ver: 1,
  };
  if (roles.includes('auditor')) agency.auditScope = body.auditScope ?? 'own';
  ctx.target.details = { keyChanges: keys.map((k): KeyChange => addedKey(agency.agencyId, k)) };
  return {
    status: 201,
    result: agencyView(agency),
    writes: [agencyWrite(agency, null)],
    onConflict: () => new CorridorError('ERR_CONFLICT', `agency ${body.agencyId} was created concurrently; retry to change it`),
    afterCommit: () => ctx.services.directory.invalidate(agency.agencyId),
  };
}

async function change(ctx: ActionContext, body: RegisterBody, existing: Agency, nowIso: string): Promise<ActionOutcome> {
  if (body.keys) refuse('ERR_FORBIDDEN', `the operator cannot add keys to an existing agency; ${existing.agencyId} adds its own keys with agency.keys`);
  const next: Agency = { ...existing, keys: existing.keys.map((k) => ({ ...k })) };
  if (body.name !== undefined) next.name = body.name;
  if (body.roles !== undefined) next.roles = body.roles;
  if (body.status !== undefined) next.status = body.status;
  if (body.auditScope !== undefined) next.auditScope = body.auditScope;
  if (!next.roles.includes('auditor')) {
    if (body.auditScope !== undefined) refuse('ERR_BODY_INVALID', 'auditScope applies only to auditors', [{ pointer: '/body/auditScope', detail: 'needs the auditor role' }]);
    delete next.auditScope;
  } else next.auditScope ??= 'own';
  if (existing.agencyId === ctx.caller.agencyId && (next.status !== 'active' || !next.roles.includes('operator'))) {
    refuse('ERR_CONFLICT', 'the operator cannot suspend itself or drop its own operator role');
  }
  const changes: KeyChange[] = [];
  for (const kid of body.revoke ?? []) transitionKey(next.agencyId, next.keys, kid, 'revoked', nowIso, changes);
  if (existing.agencyId === ctx.caller.agencyId && !next.keys.some((k) => k.status === 'active')) {
    refuse('ERR_CONFLICT', 'the operator cannot revoke its own last active key');
  }
  if (changes.length) ctx.target.details = { keyChanges: changes };
  return {
    status: 200,
    result: agencyView(next),
    writes: [agencyWrite(next, existing.ver), ...await outboxWrites(ctx, keyNotices(next.agencyId, changes, nowIso))],
    afterCommit: () => ctx.services.directory.invalidate(next.agencyId),
  };
}

export async function agencyRegister(ctx: ActionContext, body: RegisterBody): Promise<ActionOutcome> {
  ctx.target.resource = `agency:${body.agencyId}`;
  ctx.target.owner = body.agencyId;
  const nowIso = isoNow(ctx.now);
  const existing = await ctx.services.directory.get(body.agencyId, true);
  return existing ? change(ctx, body, existing, nowIso) : create(ctx, body, nowIso);
}
