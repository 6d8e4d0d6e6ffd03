/**
 * Bootstrap of the first operator agency: no signed request can create it, so an
 * operator with AWS access writes it directly — with its audit event in the same
 * transaction, so even the first key is provable (`agency.bootstrap`, no actor).
 */
import type { JWK } from 'jose';
import { agencyWrite, type Agency } from './agencies.ts';
import { auditWrite, refusalEventId, sealableEvent } from './audit.ts';
import { addedKey } from './actions/key-changes.ts';
import { acceptPublicKey } from './jwk.ts';
import { b64url, sha256 } from './merkle.ts';
import { WriteConflict } from './ports.ts';
import { isoNow, type CoreServices } from './services.ts';

export interface BootstrapResult { created: boolean; agency: Agency }

/** Create the operator agency with one key; if it exists already, leave it untouched. */
export async function bootstrapOperator(services: CoreServices, agencyId: string, name: string, kid: string, publicJwk: JWK): Promise<BootstrapResult> {
  const existing = await services.directory.get(agencyId, true);
  if (existing) return { created: false, agency: existing };
  const nowIso = isoNow(services.clock.now());
  const key = await acceptPublicKey(kid, publicJwk, '/jwk', nowIso);
  const agency: Agency = { agencyId, country: agencyId.slice(0, 2), name, roles: ['operator'], status: 'active', keys: [key], createdAt: nowIso, ver: 1 };
  const record = JSON.stringify({ agencyId, kid, thumbprint: key.thumbprint });
  const event = sealableEvent({
    id: refusalEventId(),
    ts: nowIso,
    exchangeId: services.exchangeId,
    action: 'agency.bootstrap',
    resource: `agency:${agencyId}`,
    owner: agencyId,
    decision: 'allow',
    status: 201,
    rqd: b64url(sha256(record)),
    rsd: b64url(sha256(record)),
    sourceIp: 'local',
    requestId: 'bootstrap',
    details: { keyChanges: [addedKey(agencyId, key)] },
  });
  try {
    await services.store.commit([auditWrite(event), agencyWrite(agency, null)]);
  } catch (e) {
    if (e instanceof WriteConflict) return { created: false, agency: (await services.directory.get(agencyId, true))! };
    throw e;
  }
  return { created: true, agency };
}
