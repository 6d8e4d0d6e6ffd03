/**
 * Configuration, read from the environment once, typed, failing fast with the name of
 * what is missing. The only place that reads process.env for the exchange.
 */
import { KMS_KEYS, NOTIFY_QUEUE, TABLES } from './definitions.ts';
import { ORIGIN_VERIFY_ENV } from './edge-names.ts';
import { DEFAULT_DELIVERY_OVERDUE_DAYS } from './core/deliveries.ts';
import type { TableId } from './core/ports.ts';

export interface ExchangeConfig {
  exchangeId: string;
  region: string;
  /** Set only against an emulator (moto) or another non-AWS endpoint. */
  awsEndpoint?: string;
  tables: Record<TableId, string>;
  payloadKeyId: string;
  /** The KMS asymmetric key that signs audit seals. */
  sealKeyId: string;
  /** How long a warm process may use a cached agency or agreement record: the revocation bound (docs/performance.md). */
  agencyCacheMs: number;
  /** How often a warm process re-reads the response key ring (picks up rotations). */
  responseKeyRefreshMs: number;
  /** Per-agency rate limit in each process (429); perSecond 0 turns it off. */
  rateLimit?: { perSecond: number; burst: number };
  /** How long a contended drawdown keeps retrying before it answers 503 (below the Lambda timeout). */
  retryDeadlineMs?: number;
  /** Local mode only: webhook endpoints may also be http://127.0.0.1 and http://[::1] (protocol.md §10). */
  allowLoopbackEndpoints?: boolean;
  /** Days after a shipment at which delivery.list flags a line not delivered (1–3650; default DEFAULT_DELIVERY_OVERDUE_DAYS). */
  deliveryOverdueDays?: number;
}

/** The deployment's N of delivery.list's `not-delivered` flag: CDK context `corridor:deliveryOverdueDays` sets it on the licenses function. */
export const DELIVERY_OVERDUE_DAYS_ENV = 'CORRIDOR_DELIVERY_OVERDUE_DAYS';
export const MAX_DELIVERY_OVERDUE_DAYS = 3650;

/**
 * 30 s: keeps a warm verification at two DynamoDB requests (no agency or agreement read) while a
 * revoked key, suspended agency or withdrawn agreement stops working everywhere within 30 s.
 */
export const DEFAULT_AGENCY_CACHE_MS = 30_000;

/**
 * How finely `Requests` and `LatencyMs` are dimensioned (CDK context `corridor:metricsDetail`, environment
 * `CORRIDOR_METRICS_DETAIL`). Each distinct dimension-value combination is one CloudWatch custom metric, billed monthly:
 * - `decision` (default): dimensions {service, decision}; the action is a property of the EMF document, not a
 *   dimension, so Logs Insights (and metric filters) can still split by it. 4 request metrics.
 * - `action`: dimensions {service, action, decision}: per-action graphs in CloudWatch metrics, 4 per action.
 */
export type MetricsDetail = 'decision' | 'action';
export const METRICS_DETAILS: readonly MetricsDetail[] = ['decision', 'action'];
export const DEFAULT_METRICS_DETAIL: MetricsDetail = 'decision';
export const METRICS_DETAIL_ENV = 'CORRIDOR_METRICS_DETAIL';
/** The dimensions (besides `service`) of `Requests` and `LatencyMs` per detail: what the audit stream's consumer emits, the dashboard reads. */
export const REQUEST_DIMENSIONS: Readonly<Record<MetricsDetail, readonly ('action' | 'decision')[]>> = {
  decision: ['decision'],
  action: ['action', 'decision'],
};

/**
 * A request slower than this many milliseconds is logged although it succeeded (`CORRIDOR_SLOW_REQUEST_MS`, CDK context
 * `corridor:slowRequestMs`): handlers log one line per denial, error or slow request and nothing per plain success,
 * since the metrics already count every request and a line per call was most of what CloudWatch Logs billed.
 */
export const SLOW_REQUEST_MS_ENV = 'CORRIDOR_SLOW_REQUEST_MS';
export const DEFAULT_SLOW_REQUEST_MS = 1000;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(`missing environment variable ${name}`);
  return v;
}

function intOr(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${name} must be a non-negative integer`);
  return n;
}

/** The metrics detail of the deployed functions; the default when unset, an error when misspelt. */
export function readMetricsDetail(env: NodeJS.ProcessEnv = process.env): MetricsDetail {
  const v = env[METRICS_DETAIL_ENV];
  if (v === undefined || v === '') return DEFAULT_METRICS_DETAIL;
  if (!(METRICS_DETAILS as readonly string[]).includes(v)) throw new ConfigError(`${METRICS_DETAIL_ENV} must be one of ${METRICS_DETAILS.join(', ')}`);
  return v as MetricsDetail;
}

/** The slow-request threshold of the deployed functions; the default when unset, an error when not a whole number. */
export function readSlowRequestMs(env: NodeJS.ProcessEnv = process.env): number {
  return intOr(env, SLOW_REQUEST_MS_ENV, DEFAULT_SLOW_REQUEST_MS);
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ExchangeConfig {
  const tables = Object.fromEntries(TABLES.map((t) => [t.id, required(env, t.envVar)])) as Record<TableId, string>;
  const payload = KMS_KEYS.find((k) => k.id === 'payload')!;
  const seal = KMS_KEYS.find((k) => k.id === 'seal')!;
  const deliveryOverdueDays = intOr(env, DELIVERY_OVERDUE_DAYS_ENV, DEFAULT_DELIVERY_OVERDUE_DAYS);
  if (deliveryOverdueDays < 1 || deliveryOverdueDays > MAX_DELIVERY_OVERDUE_DAYS) throw new ConfigError(`${DELIVERY_OVERDUE_DAYS_ENV} must be from 1 to ${MAX_DELIVERY_OVERDUE_DAYS}`);
  const cfg: ExchangeConfig = {
    exchangeId: env.CORRIDOR_EXCHANGE_ID || 'corridor:local',
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || required(env, 'AWS_REGION'),
    tables,
    payloadKeyId: required(env, payload.envVar),
    sealKeyId: required(env, seal.envVar),
    agencyCacheMs: intOr(env, 'CORRIDOR_AGENCY_CACHE_MS', DEFAULT_AGENCY_CACHE_MS),
    responseKeyRefreshMs: intOr(env, 'CORRIDOR_RESPONSE_KEY_REFRESH_MS', 300_000),
    retryDeadlineMs: intOr(env, 'CORRIDOR_RETRY_DEADLINE_MS', 8000),
    rateLimit: { perSecond: intOr(env, 'CORRIDOR_RATE_LIMIT_PER_SECOND', 50), burst: intOr(env, 'CORRIDOR_RATE_LIMIT_BURST', 100) },
    deliveryOverdueDays,
  };
  if (env.CORRIDOR_AWS_ENDPOINT) cfg.awsEndpoint = env.CORRIDOR_AWS_ENDPOINT;
  if (env[NOTIFY_LOOPBACK_ENV] === 'true') cfg.allowLoopbackEndpoints = true;
  return cfg;
}

/**
 * The origin-verify secret of corridor:edge=cloudfront-waf (its ARN), or undefined: unset in the default http-api mode
 * and in `npm start`, where the handlers check no origin header.
 */
export function readOriginVerifySecretArn(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[ORIGIN_VERIFY_ENV] || undefined;
}

/** Set by `npm start` only (never by the CDK stack): webhook endpoints may be loopback http. */
export const NOTIFY_LOOPBACK_ENV = 'CORRIDOR_NOTIFY_ALLOW_LOOPBACK';
/** Tests and local experiments: every retry wait × this factor (default 1; protocol.md §10 gives the schedule). */
export const NOTIFY_RETRY_SCALE_ENV = 'CORRIDOR_NOTIFY_RETRY_SCALE';

export interface NotifyConfig {
  /** The delivery queue (SQS) the notifier fills and the deliverer re-fills with retries. */
  queueUrl: string;
  retryScale: number;
}

/** What the notifier and delivery functions need beyond readConfig. */
export function readNotifyConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const scale = env[NOTIFY_RETRY_SCALE_ENV] ? Number(env[NOTIFY_RETRY_SCALE_ENV]) : 1;
  if (!(scale > 0 && scale <= 1)) throw new ConfigError(`${NOTIFY_RETRY_SCALE_ENV} must be a number in (0, 1]`);
  return { queueUrl: required(env, NOTIFY_QUEUE.envVar), retryScale: scale };
}
