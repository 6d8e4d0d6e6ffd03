/**
 * The one error table: every refusal the exchange can give, its HTTP status and title.
 * A new code without a status does not compile (Record<ErrorCode, …>).
 */

export const ERRORS = {
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, slug: 'unsupported-media-type', title: 'Content type must be application/jose' },
  ERR_BODY_TOO_LARGE: { status: 413, slug: 'body-too-large', title: 'Request body too large' },
  ERR_MALFORMED_REQUEST: { status: 400, slug: 'malformed-request', title: 'Request is not a well-formed compact JWS with a JSON object payload' },
  ERR_DUPLICATE_MEMBER: { status: 400, slug: 'duplicate-member', title: 'JSON has duplicate member names' },
  ERR_BODY_INVALID: { status: 400, slug: 'body-invalid', title: 'Request body does not match the action schema' },
  ERR_DOCUMENT_INVALID: { status: 400, slug: 'document-invalid', title: 'Signed document is not valid' },
  ERR_HEADER_INVALID: { status: 401, slug: 'header-invalid', title: 'JWS protected header not allowed' },
  ERR_UNKNOWN_ISSUER: { status: 401, slug: 'unknown-issuer', title: 'Issuer is not a registered agency' },
  ERR_KEY_NOT_USABLE: { status: 401, slug: 'key-not-usable', title: 'Signing key is unknown or not active' },
  ERR_SIGNATURE_INVALID: { status: 401, slug: 'signature-invalid', title: 'Signature does not verify' },
  ERR_CLAIMS_INVALID: { status: 401, slug: 'claims-invalid', title: 'Request claims not accepted' },
  ERR_REQUEST_REPLAYED: { status: 401, slug: 'request-replayed', title: 'Request id (jti) already used' },
  ERR_ACTION_MISMATCH: { status: 401, slug: 'action-mismatch', title: 'Signed action does not match the route' },
  ERR_AGENCY_SUSPENDED: { status: 403, slug: 'agency-suspended', title: 'Calling agency is suspended' },
  ERR_ROLE_FORBIDDEN: { status: 403, slug: 'role-forbidden', title: 'Role may not call this action' },
  ERR_NO_AGREEMENT: { status: 403, slug: 'no-agreement', title: 'No sharing agreement allows this' },
  ERR_FORBIDDEN: { status: 403, slug: 'forbidden', title: 'Not allowed' },
  ERR_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not found' },
  ERR_CONFLICT: { status: 409, slug: 'conflict', title: 'Refused by current state' },
  ERR_KID_REUSED: { status: 409, slug: 'kid-reused', title: 'Key id already used for another key' },
  ERR_KEY_TRANSITION: { status: 409, slug: 'key-transition-forbidden', title: 'Key status may only move forward' },
  ERR_RATE_LIMITED: { status: 429, slug: 'rate-limited', title: 'Too many requests' },
  ERR_DEPENDENCY_FAILED: { status: 503, slug: 'dependency-failed', title: 'A dependency failed; nothing was changed' },
  ERR_INTEGRITY: { status: 503, slug: 'integrity-failure', title: 'Stored data failed an integrity check; nothing was released' },
  ERR_AUDIT_FAILED: { status: 503, slug: 'audit-write-failed', title: 'The audit event could not be written; nothing was changed' },
} as const satisfies Record<string, { status: HttpStatus; slug: string; title: string }>;

export type HttpStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;
export type ErrorCode = keyof typeof ERRORS;

export interface FieldError { readonly pointer: string; readonly detail: string }

/** RFC 9457 problem as carried in the signed response's `problem` claim. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

export class CorridorError extends Error {
  readonly code: ErrorCode;
  readonly errors?: FieldError[];
  /** Seconds before a new attempt can succeed (HTTP Retry-After; never part of the signed problem). */
  readonly retryAfter?: number;
  constructor(code: ErrorCode, detail: string, errors?: FieldError[], retryAfter?: number) {
    super(detail);
    this.name = 'CorridorError';
    this.code = code;
    if (errors?.length) this.errors = errors;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
  get status(): number {
    return ERRORS[this.code].status;
  }
  toProblem(): Problem {
    const e = ERRORS[this.code];
    const p: Problem = { type: `urn:corridor:problem:${e.slug}`, title: e.title, status: e.status, detail: this.message };
    if (this.errors) p.errors = this.errors;
    return p;
  }
}

export function refuse(code: ErrorCode, detail: string, errors?: FieldError[]): never {
  throw new CorridorError(code, detail, errors);
}

/** A dependency (KMS, DynamoDB) failed: the caller must get 503 and nothing may be partial. */
export class DependencyError extends Error {
  constructor(readonly dependency: string, cause: unknown) {
    super(`${dependency} failed`);
    this.name = 'DependencyError';
    this.cause = cause;
  }
}

/**
 * What logs may say about a failure: the dependency (`dynamodb`, `kms`, or `internal` for
 * anything else) and the error's class name — never its message, which may quote input.
 */
export function failureOf(e: unknown): { dependency: string; errorClass: string } {
  const inner = e instanceof DependencyError ? e.cause : e;
  return { dependency: e instanceof DependencyError ? e.dependency : 'internal', errorClass: inner instanceof Error ? inner.name : typeof inner };
}

/** Stored ciphertext failed to authenticate (moved, altered, or wrong context): 503, nothing released. */
export class IntegrityError extends Error {
  constructor(what: string) {
    super(`integrity check failed: ${what}`);
    this.name = 'IntegrityError';
  }
}
