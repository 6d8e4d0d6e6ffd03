/**
 * The exchange pipeline: envelope → policy → schema → action → audit (+ mutation, one
 * transaction) → signed response. Refusals take one path: sign a problem, write one deny
 * event, change nothing else. Dependency failures fail closed with a signed 503.
 */
import { ACTIONS } from './actions/index.ts';
import { acceptedEventId, auditWrite, refusalEventId, sealableEvent, storedEvent, type AuditFields } from './audit.ts';
import { CorridorError, failureOf, IntegrityError } from './errors.ts';
import { sha256b64url } from './merkle.ts';
import { assertMayCall } from './policy.ts';
import { WriteConflict, type FailureObservation } from './ports.ts';
import { verifyRequest, type Trace } from './request-envelope.ts';
import { signResponse, type ResponseClaims } from './response.ts';
import type { ActionName } from './routes.ts';
import { DEFAULT_RETRY, isoNow, type ActionOutcome, type AuditTarget, type CoreServices } from './services.ts';
import { validateBody } from './validation.ts';

export interface ActionCall {
  act: ActionName;
  contentType: string | undefined;
  body: Uint8Array;
  sourceIp: string;
  requestId: string;
}

export interface ActionAnswer {
  status: number;
  contentType: 'application/jose' | 'application/problem+json';
  body: string;
  auditId?: string;
  /**
   * Whole seconds (≥ 1) before a new attempt can succeed: the HTTP `Retry-After` header of 429 (the rate limiter's
   * refill time) and of the 503s a retry may cure. Outside the signed body, so a hint, never evidence.
   */
  retryAfter?: number;
}

interface CallState {
  call: ActionCall;
  rqd: string;
  now: number;
  trace: Trace;
  target: AuditTarget;
}

export class Exchange {
  constructor(private readonly services: CoreServices) {}

  async handle(call: ActionCall): Promise<ActionAnswer> {
    const s = this.services;
    const state: CallState = { call, rqd: sha256b64url(call.body), now: s.clock.now(), trace: {}, target: {} };
    try {
      const request = await verifyRequest(call, call.act, s.directory, s.clock, s.exchangeId, state.trace);
      const allowed = s.rateLimiter?.take(request.iss);
      if (allowed && !allowed.ok) throw new CorridorError('ERR_RATE_LIMITED', `${request.iss} exceeded ${s.rateLimiter!.limit.perSecond} requests/s (burst ${s.rateLimiter!.limit.burst}); retry in ${allowed.retryAfter} s with a new jti`, undefined, allowed.retryAfter);
      assertMayCall(request.agency, call.act);
      const valid = validateBody(call.act, request.body);
      if (!valid.ok) throw new CorridorError('ERR_BODY_INVALID', 'body does not match the schema of ' + call.act, valid.errors);
      const ctx = { services: s, caller: request.agency, request, now: state.now, target: state.target };
      const { deadlineMs, baseDelayMs } = s.retry ?? DEFAULT_RETRY;
      const deadline = state.now + deadlineMs; // from the call's start: time already spent counts
      for (let attempt = 0; ; attempt++) {
        const outcome = await ACTIONS[call.act](ctx, request.body as never);
        try {
          return await this.commit(state, request.iss, request.jti, outcome);
        } catch (e) {
          if (!(e instanceof RetryableConflict)) throw e;
          if (s.clock.now() >= deadline) throw new CorridorError('ERR_DEPENDENCY_FAILED', `the record stayed contended for ${deadlineMs} ms; nothing was changed, retry with a new jti`);
          // Full jitter, capped: contenders spread out instead of colliding again in lockstep.
          await new Promise((r) => setTimeout(r, Math.random() * Math.min(baseDelayMs * 2 ** attempt, 500)));
        }
      }
    } catch (e) {
      return this.refuse(state, e);
    }
  }

  /** `responseKid`: the response key that signed the answer (none for the unsigned 503), checked by audit verify against the key history. */
  private fields(state: CallState, id: string, status: number, rsd: string, code?: string, responseKid?: string): AuditFields {
    const { trace, target, call } = state;
    return {
      id,
      ts: isoNow(state.now),
      exchangeId: this.services.exchangeId,
      actor: trace.actor,
      claimedIssuer: trace.actor ? undefined : trace.claimedIssuer,
      action: call.act,
      resource: target.resource,
      owner: target.owner,
      decision: code ? 'deny' : 'allow',
      status,
      code,
      rqd: state.rqd,
      rsd,
      responseKid,
      // Latency as the request metrics report it (aggregated from the audit stream, so no per-request EMF document):
      // from the call's start to this event, on the services' clock. The commit after it is not included.
      ms: Math.max(0, Math.round(this.services.clock.now() - state.now)),
      sourceIp: call.sourceIp,
      requestId: call.requestId,
      details: target.details,
    };
  }

  private claims(state: CallState, status: number, auditId: string | undefined): ResponseClaims {
    const c: ResponseClaims = { iss: this.services.exchangeId, iat: Math.floor(state.now / 1000), jti: refusalEventId().slice(3), rqd: state.rqd, status };
    if (state.trace.actor) c.aud = state.trace.actor;
    if (state.trace.jti) c.irt = state.trace.jti;
    if (auditId) c.auditId = auditId;
    return c;
  }

  private async commit(state: CallState, iss: string, jti: string, outcome: ActionOutcome): Promise<ActionAnswer> {
    const s = this.services;
    const id = acceptedEventId(iss, jti);
    const key = await s.responseKeys.signingKey();
    const body = await signResponse(key, { ...this.claims(state, outcome.status, id), result: outcome.result });
    const event = sealableEvent(this.fields(state, id, outcome.status, sha256b64url(body), undefined, key.kid));
    try {
      await s.store.commit([auditWrite(event), ...outcome.writes]);
    } catch (e) {
      if (e instanceof WriteConflict) {
        if (e.index === 0) {
          // The jti's event exists. If it is this very response, an SDK-level retry re-sent a
          // transaction that had already committed (unknown outcome): the write was ours.
          if (await this.isOwnEvent(id, event.rsd)) return this.accepted(state, iss, id, outcome, body);
          throw new CorridorError('ERR_REQUEST_REPLAYED', `jti '${jti}' was already used by ${iss}`);
        }
        if (outcome.retryOnConflict) throw new RetryableConflict();
        throw outcome.onConflict?.(e.index - 1) ?? new CorridorError('ERR_CONFLICT', 'the record changed while this request ran; retry with a new jti');
      }
      // Unknown outcome (timeout, retries exhausted): if our own event is there, the transaction committed.
      if (await this.isOwnEvent(id, event.rsd)) return this.accepted(state, iss, id, outcome, body);
      throw new AuditWriteFailed(e);
    }
    return this.accepted(state, iss, id, outcome, body);
  }

  private accepted(state: CallState, iss: string, id: string, outcome: ActionOutcome, body: string): ActionAnswer {
    outcome.afterCommit?.();
    this.observe(state, outcome.status, undefined, id);
    return { status: outcome.status, contentType: 'application/jose', body, auditId: id };
  }

  /** protocol.md §6 holds for the unsigned 503 too: one deny event, rsd over the unsigned body. Best effort: the answer is 503 either way. */
  private async auditUnsigned(state: CallState, body: string): Promise<string | undefined> {
    const id = refusalEventId();
    try {
      await this.services.store.commit([auditWrite(sealableEvent(this.fields(state, id, 503, sha256b64url(body), 'dependency-failed')))]);
      return id;
    } catch (e) {
      this.services.telemetry.auditWriteFailed(this.failure(state, e)); // the store is down too
      return undefined;
    }
  }

  private async isOwnEvent(id: string, rsd: string): Promise<boolean> {
    try {
      const rec = await this.services.store.get('audit', id);
      return !!rec && storedEvent(rec.pk, rec.attrs)?.rsd === rsd;
    } catch {
      return false;
    }
  }

  private async refuse(state: CallState, thrown: unknown): Promise<ActionAnswer> {
    const s = this.services;
    let error = await this.asRefusal(state, thrown);
    const auditFailed = error.code === 'ERR_AUDIT_FAILED';
    const id = auditFailed ? undefined : refusalEventId();
    let key;
    try {
      key = await s.responseKeys.signingKey();
    } catch (e) {
      // Without a signing key nothing can be signed: the one unsigned answer (clients treat it as untrusted).
      s.telemetry.dependencyFailed(this.failure(state, e));
      const unavailable = new CorridorError('ERR_DEPENDENCY_FAILED', 'the exchange cannot sign responses right now');
      const problem = unavailable.toProblem();
      this.observe(state, 503, 'ERR_DEPENDENCY_FAILED', await this.auditUnsigned(state, JSON.stringify(problem)));
      return { status: 503, contentType: 'application/problem+json', body: JSON.stringify(problem), retryAfter: retryAfterOf(unavailable) };
    }
    let body = await signResponse(key, { ...this.claims(state, error.status, id), problem: error.toProblem() });
    if (id) {
      const event = sealableEvent(this.fields(state, id, error.status, sha256b64url(body), error.toProblem().type.slice('urn:corridor:problem:'.length), key.kid));
      try {
        await s.store.commit([auditWrite(event)]).catch(async (e: unknown) => {
          if (!(await this.isOwnEvent(id, event.rsd))) throw e; // a lost answer, not a lost write
        });
      } catch (e) {
        s.telemetry.auditWriteFailed(this.failure(state, e));
        error = new CorridorError('ERR_AUDIT_FAILED', 'the refusal could not be audited; nothing was changed');
        body = await signResponse(key, { ...this.claims(state, 503, undefined), problem: error.toProblem() });
        this.observe(state, 503, error.code);
        return { status: 503, contentType: 'application/jose', body, retryAfter: retryAfterOf(error) };
      }
    }
    this.observe(state, error.status, error.code, id);
    const retryAfter = retryAfterOf(error);
    return { status: error.status, contentType: 'application/jose', body, ...(id ? { auditId: id } : {}), ...(retryAfter ? { retryAfter } : {}) };
  }

  /** One observation per answered request; the duration is from the call's start on the services' clock. */
  private observe(state: CallState, status: number, code?: string, auditId?: string): void {
    const { call, trace } = state;
    this.services.telemetry.requestCompleted({
      requestId: call.requestId, auditId, actor: trace.actor, action: call.act, status,
      decision: code ? 'deny' : 'allow', code, durationMs: this.services.clock.now() - state.now,
    });
  }

  private failure(state: CallState, e: unknown): FailureObservation {
    return { requestId: state.call.requestId, action: state.call.act, ...failureOf(e) };
  }

  /** Any throwable as the refusal the caller sees; a replayed jti outranks later refusals. */
  private async asRefusal(state: CallState, thrown: unknown): Promise<CorridorError> {
    let error: CorridorError;
    if (thrown instanceof CorridorError) error = thrown;
    else if (thrown instanceof AuditWriteFailed) {
      this.services.telemetry.auditWriteFailed(this.failure(state, thrown.cause));
      error = new CorridorError('ERR_AUDIT_FAILED', 'the audit event could not be written; nothing was changed');
    }
    else if (thrown instanceof IntegrityError) {
      this.services.telemetry.integrityFailed({ ...this.failure(state, thrown), check: thrown.message });
      error = new CorridorError('ERR_INTEGRITY', 'a stored record failed its integrity check; nothing was released');
    }
    else {
      this.services.telemetry.dependencyFailed(this.failure(state, thrown));
      error = new CorridorError('ERR_DEPENDENCY_FAILED', 'a dependency failed; nothing was changed, retry with a new jti');
    }
    const { trace } = state;
    if (trace.claimsVerified && trace.actor && trace.jti && error.status !== 401 && error.status < 500) {
      try {
        const prior = await this.services.store.get('audit', acceptedEventId(trace.actor, trace.jti));
        if (prior) return new CorridorError('ERR_REQUEST_REPLAYED', `jti '${trace.jti}' was already used by ${trace.actor}`);
      } catch (e) {
        this.services.telemetry.dependencyFailed(this.failure(state, e));
        return new CorridorError('ERR_DEPENDENCY_FAILED', 'a dependency failed; nothing was changed, retry with a new jti');
      }
    }
    return error;
  }
}


/**
 * The Retry-After of a refusal: the rate limiter's own wait for 429; 1 s for a failed dependency or audit write
 * (nothing changed, a new attempt may well succeed); none for refusals a retry cannot cure (integrity included).
 */
function retryAfterOf(error: CorridorError): number | undefined {
  if (error.retryAfter !== undefined) return Math.max(1, Math.ceil(error.retryAfter));
  return error.code === 'ERR_DEPENDENCY_FAILED' || error.code === 'ERR_AUDIT_FAILED' ? 1 : undefined;
}

/** A write lost an optimistic race; the action runs again on fresh state. */
class RetryableConflict extends Error {}

class AuditWriteFailed extends Error {
  constructor(cause: unknown) {
    super('audit write failed');
    this.cause = cause;
  }
}
