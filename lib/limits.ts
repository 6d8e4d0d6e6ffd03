/**
 * Capacity limits of the deployed exchange: API Gateway throttling per route class and Lambda reserved concurrency per
 * function. Defaults here, overridable through CDK context (lib/settings.ts); docs/deployment.md explains the numbers.
 */
import type { ActionName, HandlerGroup } from '../lambdas/core/routes.ts';

/** Requests per second (steady) and bucket size (burst) of an API Gateway token bucket, for all callers together. */
export interface Throttle {
  readonly rate: number;
  readonly burst: number;
}

/**
 * Routes are throttled by what a call costs and who makes it. `default` is the stage limit and applies to every route
 * not in another class: the shipment-time hot path (license.verify, license.drawdown, euc.query, license.drawdowns) and
 * the public discovery documents, which verifiers fetch. `write` calls encrypt and store documents or change the
 * registry (a few per document lifetime); `audit` calls page through the time index and build proofs (a handful of
 * auditors); `console` serves static files to those same auditors.
 */
export type RouteClass = 'default' | 'write' | 'audit' | 'console';

export const DEFAULT_THROTTLE: Readonly<Record<RouteClass, Throttle>> = {
  default: { rate: 100, burst: 200 },
  write: { rate: 20, burst: 40 },
  audit: { rate: 10, burst: 20 },
  console: { rate: 10, burst: 20 },
};

/** The throttle class of each action route; actions absent here use the stage default. */
export const ACTION_CLASS: Readonly<Partial<Record<ActionName, RouteClass>>> = {
  'agency.register': 'write',
  'agency.keys': 'write',
  'agreement.put': 'write',
  // a registry read on the agencies function, whose concurrency is sized for the write class: kept in it
  'agreement.list': 'write',
  // a registry write with a DNS lookup, a few per agency lifetime; the list polls the agency's own partition
  'subscription.put': 'write',
  'subscription.get': 'write',
  'notification.list': 'write',
  'license.publish': 'write',
  'license.status': 'write',
  'euc.publish': 'write',
  'euc.status': 'write',
  // a case and its report are a few calls per license, like publishing (delivery.confirm runs at shipment pace: default)
  'psv.request': 'write',
  'psv.report': 'write',
  // a denial or consultation is a few calls per licence decision (screening.check runs at shipment pace: default)
  'denial.notify': 'write',
  'denial.revoke': 'write',
  'consultation.open': 'write',
  'consultation.answer': 'write',
  'consultation.list': 'write',
  'audit.query': 'audit',
  'audit.proof': 'audit',
  'audit.seals': 'audit',
};

/** Functions whose reserved concurrency is configurable: the API groups and the console (the sealer is fixed at 1). */
export type ConcurrencyName = HandlerGroup | 'console';

/**
 * Reserved concurrency per function: a ceiling on what each can consume (and cost) under load or abuse, and a floor the
 * others cannot take from it. Sized by Little's law from the stage limits: licenses carries most of the default class
 * (100 req/s × ~0.1–0.2 s warm ≈ 10–20 in flight); eucs and discovery share the rest of it; agencies and audit sit
 * behind the write and audit classes (≤ 20 req/s of slower calls); denials screens batches of up to 100 parties
 * (~0.05–0.1 s each, 5 in flight ≈ 50 batches/s) besides a few denial and consultation writes. Total 61 with the
 * sealer, so an account with the default 1,000 concurrent executions keeps 939 unreserved (Lambda insists on at least 100).
 */
export const DEFAULT_RESERVED_CONCURRENCY: Readonly<Record<ConcurrencyName, number>> = {
  licenses: 20,
  eucs: 10,
  discovery: 10,
  agencies: 5,
  audit: 5,
  denials: 5,
  console: 5,
};

/** The sealer runs one at a time: seals append with a conditional write, so a second run would only waste a KMS Sign. */
export const SEALER_RESERVED_CONCURRENCY = 1;
/** The psv.overdue scan runs one at a time too: two runs would race on the same cases (harmlessly, but for nothing). */
export const OVERDUE_RESERVED_CONCURRENCY = 1;

/**
 * Notifications (protocol.md §10), beside the totals above: the notifier reads the audit stream, one invocation per shard
 * at a time (2 leaves room for a resharding overlap); the deliverer takes up to 10 messages per invocation, each waiting at
 * most 5 s for its endpoint, so 5 in flight deliver ≥ 10 notifications/s even when every endpoint times out. Both are
 * fixed: their throughput follows the queue, not the API.
 */
export const NOTIFIER_RESERVED_CONCURRENCY = 2;
export const DELIVERER_RESERVED_CONCURRENCY = 5;
