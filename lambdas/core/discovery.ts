/** The public documents of protocol.md §4: configuration, exchange JWKS, an agency's JWKS. */
import { agencyJwks } from './agencies.ts';
import { ALGORITHMS, CLOCK_SKEW_SECONDS, MAX_BODY_BYTES } from './request-envelope.ts';
import { ACTION_ROUTES, PUBLIC_ROUTES } from './routes.ts';
import type { CoreServices } from './services.ts';

const AGENCY_ID = /^[A-Z]{2}-[A-Z0-9]{2,16}$/;

/**
 * The wire protocol this exchange speaks (protocol.md, Changelog). New actions and new optional
 * fields keep it; only a change an existing client could trip over gives a new version.
 */
export const PROTOCOL_VERSION = 'corridor/1';

export async function configuration(services: CoreServices, baseUrl: string): Promise<Record<string, unknown>> {
  const published = await services.responseKeys.published();
  return {
    protocolVersion: PROTOCOL_VERSION,
    exchangeId: services.exchangeId,
    jwksUri: `${baseUrl}${PUBLIC_ROUTES.jwks}`,
    actions: ACTION_ROUTES.map((r) => ({ act: r.act, route: `POST ${r.path}` })),
    algorithms: [...ALGORITHMS],
    maxBodyBytes: MAX_BODY_BYTES,
    clockSkewSeconds: CLOCK_SKEW_SECONDS,
    responseKeyIds: published.map((k) => k.kid),
    sealKeyIds: [(await services.sealSigner.publicKey()).kid],
  };
}

export async function exchangeJwks(services: CoreServices): Promise<{ keys: Record<string, unknown>[] }> {
  const seal = await services.sealSigner.publicKey();
  return { keys: [...(await services.responseKeys.published()).map((k) => ({ ...k.jwk })), { ...seal.jwk }] };
}

/** An agency's public keys with status, or null when there is no such agency. */
export async function publicAgencyJwks(services: CoreServices, agencyId: string): Promise<{ keys: Record<string, unknown>[] } | null> {
  if (!AGENCY_ID.test(agencyId)) return null;
  const agency = await services.directory.get(agencyId);
  return agency ? agencyJwks(agency) : null;
}
