/** The services the core runs on, built once per process by a composition root. */
import type { AgencyDirectory } from './agency-directory.ts';
import type { CursorKeys } from './cursor-keys.ts';
import type { Agency } from './agencies.ts';
import type { CorridorError } from './errors.ts';
import type { PayloadCipher } from './payload-cipher.ts';
import type { EndpointPolicy, HostResolver } from './notifications/endpoint-rules.ts';
import type { Clock, SealSigner, Store, Telemetry, Write } from './ports.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { VerifiedRequest } from './request-envelope.ts';
import type { ResponseKeys } from './response-keys.ts';

export interface CoreServices {
  readonly exchangeId: string;
  readonly store: Store;
  readonly directory: AgencyDirectory;
  readonly cipher: PayloadCipher;
  readonly responseKeys: ResponseKeys;
  /** The secret list cursors are sealed with (unwrapped once per process; cursor-keys.ts). */
  readonly cursorKeys: CursorKeys;
  readonly clock: Clock;
  /** Where the core reports requests, failures and sealer runs (logs and metrics in AWS). */
  readonly telemetry: Telemetry;
  /** The audit seal key (KMS in AWS); its public key is published in the exchange JWKS. */
  readonly sealSigner: SealSigner;
  /** Per-agency rate limit (429); absent means no limit in this process. */
  readonly rateLimiter?: RateLimiter;
  /** Days after a shipment at which delivery.list flags what is still not delivered (default DEFAULT_DELIVERY_OVERDUE_DAYS). */
  readonly deliveryOverdueDays?: number;
  /** Optimistic-retry budget for conflicting writes (drawdowns): overall deadline and base delay. */
  readonly retry?: { readonly deadlineMs: number; readonly baseDelayMs: number };
  /** Webhook endpoint rules and DNS for subscription.put (protocol.md §10); absent, subscription.put fails closed (503). */
  readonly endpoints?: { readonly policy: EndpointPolicy; readonly resolver: HostResolver };
}

/**
 * The retry budget of contended writes unless services set their own: until 8 s after the call started, waiting a
 * random 0…min(50 ms × 2^attempt, 500 ms) between attempts (full jitter). A 50 ms base (was 10 ms) spreads 8
 * contending drawdowns on one license enough that fewer repeat a doomed read–decrypt–write: against moto ~10 % fewer
 * DynamoDB requests per contended drawdown, more drawdowns/s and fewer 503s (docs/performance.md); an uncontended call
 * never waits.
 */
export const DEFAULT_RETRY = { deadlineMs: 8000, baseDelayMs: 50 } as const;

/** Where an action tells the audit event what it touched; set as early as it is known. */
export interface AuditTarget {
  resource?: string;
  owner?: string;
  details?: Record<string, unknown>;
}

export interface ActionContext {
  readonly services: CoreServices;
  readonly caller: Agency;
  readonly request: VerifiedRequest;
  /** Milliseconds, fixed for the whole call. */
  readonly now: number;
  readonly target: AuditTarget;
}

export interface ActionOutcome {
  status: 200 | 201;
  result: Record<string, unknown>;
  /** Committed in one transaction with the audit event; empty for reads. */
  writes: Write[];
  /** Maps a failed condition on `writes[index]` to the refusal the caller should see. */
  onConflict?: (index: number) => CorridorError;
  /**
   * A failed condition means "someone else changed it first": re-run the action on fresh
   * state, with jitter, until the retry deadline (then 503). For read–decrypt–write updates.
   */
  retryOnConflict?: boolean;
  /** Runs after a successful commit (e.g. to drop a cached agency). */
  afterCommit?: () => void;
}

export type Action = (ctx: ActionContext, body: never) => Promise<ActionOutcome>;

export const isoNow = (ms: number): string => new Date(ms).toISOString();
export const today = (ms: number): string => isoNow(ms).slice(0, 10);
