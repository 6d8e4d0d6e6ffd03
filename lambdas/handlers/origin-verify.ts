/**
 * The front door of corridor:edge=cloudfront-waf (docs/deployment.md): CloudFront adds x-corridor-origin-verify with a
 * Secrets Manager value to every request that passed the web ACL; one without it went straight to execute-api. Such a
 * request is answered 403 before routing and never reaches the exchange, so it is not audited: from the protocol's point
 * of view there was no request, the caller went around the front door. Only an admitted request's
 * CloudFront-Viewer-Address is trusted as the client address (anyone can send that header to execute-api).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../edge-names.ts';
import { failureOf } from '../core/errors.ts';
import type { Clock, FailureObservation } from '../core/ports.ts';
import type { HttpEvent, HttpResult } from './http-edge.ts';

/** The header values to accept: AWSCURRENT, and AWSPREVIOUS while a rotation overlaps. Throws when they cannot be read. */
export interface OriginSecrets {
  values(): Promise<readonly string[]>;
}

/** Where the check reports (deployed: the JSON logger and the Telemetry port). Never the header's value. */
export interface OriginLog {
  refused(o: { requestId: string; sourceIp: string }): void;
  dependencyFailed(o: FailureObservation): void;
}

export type Admission = { ok: true; sourceIp: string } | { ok: false; result: HttpResult };

export interface OriginCheck {
  admit(event: HttpEvent): Promise<Admission>;
}

/** How long a warm process uses the values it read: a rotation is seen within 5 minutes (two reads per refresh). */
export const ORIGIN_SECRET_TTL_MS = 5 * 60_000;

export class OriginVerifier implements OriginCheck {
  private cached?: { digests: readonly Buffer[]; at: number };
  private loading?: Promise<readonly Buffer[]>;

  constructor(
    private readonly secrets: OriginSecrets,
    private readonly clock: Clock,
    private readonly log: OriginLog,
    private readonly ttlMs = ORIGIN_SECRET_TTL_MS,
  ) {}

  async admit(event: HttpEvent): Promise<Admission> {
    const { requestId, http } = event.requestContext;
    const presented = event.headers[ORIGIN_VERIFY_HEADER];
    // No header: refused without reading the secret, so a flood around the front door costs no Secrets Manager calls.
    if (!presented) return this.refuse(requestId, http.sourceIp);
    let digests: readonly Buffer[];
    try {
      digests = await this.digests();
    } catch (e) {
      // Fail closed: without the values nothing can be admitted.
      this.log.dependencyFailed({ requestId, ...failureOf(e) });
      return { ok: false, result: plainProblem(503, 'Service Unavailable', { 'retry-after': '1' }) };
    }
    if (!matchesAny(sha256(presented), digests)) return this.refuse(requestId, http.sourceIp);
    // Admitted: CloudFront's record of the viewer; without it (never expected) the connecting address, CloudFront's.
    return { ok: true, sourceIp: viewerAddress(event.headers[VIEWER_ADDRESS_HEADER]) ?? http.sourceIp };
  }

  private refuse(requestId: string, sourceIp: string): Admission {
    this.log.refused({ requestId, sourceIp });
    return { ok: false, result: plainProblem(403, 'Forbidden') };
  }

  /** SHA-256 of each accepted value, read at most every ttlMs; concurrent requests share one read (npm start). */
  private async digests(): Promise<readonly Buffer[]> {
    const now = this.clock.now();
    if (this.cached && now >= this.cached.at && now - this.cached.at < this.ttlMs) return this.cached.digests;
    this.loading ??= this.secrets.values()
      .then((values) => {
        const digests = values.filter((v) => v.length > 0).map(sha256);
        if (digests.length === 0) throw new Error('the origin-verify secret has no value');
        this.cached = { digests, at: now };
        return digests;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Constant time: equal-length digests (so the value's length does not leak either), every value compared, no early exit.
 */
function matchesAny(presented: Buffer, accepted: readonly Buffer[]): boolean {
  let match = false;
  for (const d of accepted) match = timingSafeEqual(presented, d) || match;
  return match;
}

/**
 * The IP of a CloudFront-Viewer-Address value, `ip:port` with the port after the last colon (IPv6 addresses are not
 * bracketed: `2001:db8::1:443`); undefined unless it is a well-formed address.
 */
export function viewerAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const at = value.lastIndexOf(':');
  if (at <= 0 || !/^\d{1,5}$/.test(value.slice(at + 1))) return undefined;
  let ip = value.slice(0, at);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  return isIP(ip) ? ip : undefined;
}

/** An unsigned answer outside the protocol, shaped like the edge's other plain problems (`about:blank`, no detail). */
function plainProblem(status: 403 | 503, title: string, extra: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...extra },
    body: JSON.stringify({ type: 'about:blank', title, status }),
  };
}
