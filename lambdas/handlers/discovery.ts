/** Lambda for the public GETs of protocol.md §4 (plain JSON, not audited). */
import { configuration, exchangeJwks, publicAgencyJwks } from '../core/discovery.ts';
import { OPENAPI_JSON } from '../core/openapi.generated.ts';
import { PUBLIC_ROUTES } from '../core/routes.ts';
import { failureOf } from '../core/errors.ts';
import { runtimeOriginCheck } from './front-door.ts';
import { behindFrontDoor, json, type HttpEvent, type HttpResult } from './http-edge.ts';
import { observed } from './observed.ts';
import { runtimeServices } from './runtime.ts';

const services = runtimeServices();
const AGENCY_JWKS = /^\/v1\/agencies\/([^/]+)\/jwks\.json$/;
const CACHE = { 'cache-control': 'public, max-age=60' };

function baseUrl(event: HttpEvent): string {
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  return `${proto}://${event.requestContext.domainName}`;
}

// Behind the front door too: the public GETs are the same API, and the JWKS must come through the same web ACL.
export const handler = observed(behindFrontDoor(runtimeOriginCheck(), async (event: HttpEvent): Promise<HttpResult> => {
  if (event.requestContext.http.method !== 'GET') return json(405, { title: 'Method Not Allowed', status: 405 });
  try {
    if (event.rawPath === PUBLIC_ROUTES.configuration) return json(200, await configuration(services, baseUrl(event)), CACHE);
    if (event.rawPath === PUBLIC_ROUTES.jwks) return json(200, await exchangeJwks(services), CACHE);
    // built and serialized at build time (scripts/generate-openapi.ts): served as is
    if (event.rawPath === '/openapi.json') return { statusCode: 200, headers: { 'content-type': 'application/json', ...CACHE }, body: OPENAPI_JSON };
    const m = AGENCY_JWKS.exec(event.rawPath);
    if (m) {
      const jwks = /^[A-Z0-9-]+$/.test(m[1]!) ? await publicAgencyJwks(services, m[1]!) : null;
      return jwks ? json(200, jwks, CACHE) : json(404, { title: 'Not Found', status: 404, detail: 'no such agency' });
    }
  } catch (e) {
    services.telemetry.dependencyFailed({ requestId: event.requestContext.requestId, ...failureOf(e) });
    return json(503, { title: 'Service Unavailable', status: 503, detail: 'a dependency failed' });
  }
  return json(404, { title: 'Not Found', status: 404 });
}));
