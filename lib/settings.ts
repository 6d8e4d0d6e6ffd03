/**
 * Deployment settings from CDK context (`cdk.json` or `cdk -c name=value`), validated once, before any construct is
 * built: a typo in a context value fails synth with the name of the value instead of deploying something else.
 */
import type { App } from 'aws-cdk-lib';
import { DEFAULT_METRICS_DETAIL, DEFAULT_SLOW_REQUEST_MS, MAX_DELIVERY_OVERDUE_DAYS, METRICS_DETAILS, type MetricsDetail } from '../lambdas/config.ts';
import { DEFAULT_DELIVERY_OVERDUE_DAYS } from '../lambdas/core/deliveries.ts';
import { DEFAULT_TRACING, TRACING_MODES, type TracingMode } from '../lambdas/bundle-modes.ts';
import {
  DEFAULT_RESERVED_CONCURRENCY, DEFAULT_THROTTLE, type ConcurrencyName, type RouteClass, type Throttle,
} from './limits.ts';

export const DEFAULT_EXCHANGE_ID = 'corridor:eu-hub';

/**
 * `http-api` (default, cheapest): clients call the HTTP API directly; stage and route throttling plus the handlers'
 * signed per-agency 429 bound the load. `cloudfront-waf`: a CloudFront distribution with a WAFv2 web ACL (rate rule
 * per source IP, AWS managed rule groups) in front of the API; see docs/deployment.md for what that costs.
 */
export type EdgeMode = 'http-api' | 'cloudfront-waf';
export const EDGE_MODES: readonly EdgeMode[] = ['http-api', 'cloudfront-waf'];

/** A custom domain for the HTTP API with mutual TLS: clients must present a certificate issued by a CA in the truststore. */
export interface CustomDomainSettings {
  readonly domainName: string;
  /** ACM certificate (in the stack's region) for domainName. */
  readonly certificateArn: string;
  /** s3://bucket/key of the PEM bundle of partner CA certificates. */
  readonly truststoreUri: string;
  /** S3 object version of the truststore (a versioned bucket); pins what is trusted until changed here. */
  readonly truststoreVersion?: string;
  /** ACM public certificate proving domain ownership; API Gateway requires it when certificateArn is imported or private-CA. */
  readonly ownershipCertificateArn?: string;
}

export interface CorridorSettings {
  readonly exchangeId: string;
  readonly edge: EdgeMode;
  /** WAF rate rule: requests one source IP may make in WAF_RATE_WINDOW_SECONDS before it is blocked (cloudfront-waf). */
  readonly wafRateLimit: number;
  /** Secrets Manager version id of the origin-verify secret CloudFront sends (cloudfront-waf); latest when absent. */
  readonly originVerifyVersion?: string;
  readonly throttle: Readonly<Record<RouteClass, Throttle>>;
  readonly reservedConcurrency: Readonly<Record<ConcurrencyName, number>>;
  readonly customDomain?: CustomDomainSettings;
  /**
   * `corridor:metricsDetail`: dimensions of the `Requests`/`LatencyMs` metrics. `decision` (default): {service,
   * decision}, the action recorded as an EMF property (Logs Insights splits by it), 4 custom metrics. `action`:
   * {service, action, decision}, 4 custom metrics per action (~$18/month once all are seen). The dashboard follows it.
   */
  readonly metricsDetail: MetricsDetail;
  /** `corridor:deliveryOverdueDays` (1–3650, default 90): days after a shipment at which delivery.list flags a line not delivered. */
  readonly deliveryOverdueDays: number;
  /**
   * `corridor:tracing`: `function` (default), Lambda active tracing with no X-Ray SDK in the bundles; `sdk`, Powertools'
   * Tracer adds handler and AWS SDK call subsegments, at a cold-start and per-request cost; `off`, no active tracing and
   * no X-Ray bill (lambdas/bundle-modes.ts).
   */
  readonly tracing: TracingMode;
  /** `corridor:slowRequestMs` (default 1000): a successful request at least this slow is logged; plain successes are not. */
  readonly slowRequestMs: number;
}

/** Default of `corridor:wafRateLimit`: 3,000 per 5 minutes is 10 req/s sustained from one address (an agency's NAT). */
export const DEFAULT_WAF_RATE_LIMIT = 3000;

type Context = (name: string) => unknown;

const absent = (v: unknown): boolean => v === undefined || v === null || v === '';

function positiveInt(name: string, raw: unknown): number {
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`context ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

function string(ctx: Context, name: string): string | undefined {
  const raw = ctx(name);
  if (absent(raw)) return undefined;
  if (typeof raw !== 'string') throw new Error(`context ${name} must be a string`);
  return raw;
}

/** An object from cdk.json, or its JSON text from `-c name='{…}'`. */
function object(ctx: Context, name: string): Record<string, unknown> {
  let raw = ctx(name);
  if (absent(raw)) return {};
  if (typeof raw === 'string') raw = JSON.parse(raw) as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`context ${name} must be an object`);
  return raw as Record<string, unknown>;
}

/** Overrides of some keys of `defaults`; an unknown key is an error (a misspelt function or class would be ignored). */
function overrides<K extends string, V>(name: string, given: Record<string, unknown>, defaults: Readonly<Record<K, V>>,
  parse: (path: string, raw: unknown, fallback: V) => V): Record<K, V> {
  const out = { ...defaults } as Record<K, V>;
  for (const [key, raw] of Object.entries(given)) {
    if (!(key in defaults)) throw new Error(`context ${name}: unknown key ${key} (known: ${Object.keys(defaults).join(', ')})`);
    out[key as K] = parse(`${name}.${key}`, raw, defaults[key as K]);
  }
  return out;
}

function throttle(path: string, raw: unknown, fallback: Throttle): Throttle {
  if (typeof raw !== 'object' || raw === null) throw new Error(`context ${path} must be {"rate": n, "burst": n}`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (k !== 'rate' && k !== 'burst') throw new Error(`context ${path}: unknown key ${k}`);
  const t = {
    rate: absent(r.rate) ? fallback.rate : positiveInt(`${path}.rate`, r.rate),
    burst: absent(r.burst) ? fallback.burst : positiveInt(`${path}.burst`, r.burst),
  };
  if (t.burst < t.rate) throw new Error(`context ${path}: burst (${t.burst}) below rate (${t.rate}) would throttle steady traffic`);
  return t;
}

function customDomain(ctx: Context): CustomDomainSettings | undefined {
  const domainName = string(ctx, 'corridor:domainName');
  const certificateArn = string(ctx, 'corridor:certificateArn');
  const truststoreUri = string(ctx, 'corridor:mtlsTruststoreUri');
  const truststoreVersion = string(ctx, 'corridor:mtlsTruststoreVersion');
  const ownershipCertificateArn = string(ctx, 'corridor:ownershipCertificateArn');
  if (!domainName && !certificateArn && !truststoreUri && !truststoreVersion && !ownershipCertificateArn) return undefined;
  // Mutual TLS is the point of the custom domain: a domain without a truststore would be a second, weaker front door.
  if (!domainName || !certificateArn || !truststoreUri) {
    throw new Error('context corridor:domainName, corridor:certificateArn and corridor:mtlsTruststoreUri go together (all or none)');
  }
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(truststoreUri)) {
    throw new Error(`context corridor:mtlsTruststoreUri must be s3://bucket/key, got ${truststoreUri}`);
  }
  for (const [name, arn] of [['corridor:certificateArn', certificateArn], ['corridor:ownershipCertificateArn', ownershipCertificateArn]] as const) {
    if (arn !== undefined && !/^arn:aws[a-z-]*:acm:/.test(arn)) throw new Error(`context ${name} must be an ACM certificate ARN`);
  }
  return {
    domainName, certificateArn, truststoreUri,
    ...(truststoreVersion ? { truststoreVersion } : {}),
    ...(ownershipCertificateArn ? { ownershipCertificateArn } : {}),
  };
}

/** Reads and validates every Corridor context value of `app`. */
export function readSettings(app: App): CorridorSettings {
  const ctx: Context = (name) => app.node.tryGetContext(name);
  const edge = (string(ctx, 'corridor:edge') ?? 'http-api') as EdgeMode;
  if (!EDGE_MODES.includes(edge)) throw new Error(`context corridor:edge must be one of ${EDGE_MODES.join(', ')}, got ${edge}`);
  const domain = customDomain(ctx);
  if (domain && edge === 'cloudfront-waf') {
    // CloudFront terminates the client's TLS, so the API would see CloudFront, not the agency's certificate.
    throw new Error('context corridor:domainName (mutual TLS) cannot be combined with corridor:edge=cloudfront-waf');
  }
  const wafRaw = ctx('corridor:wafRateLimit');
  const wafRateLimit = absent(wafRaw) ? DEFAULT_WAF_RATE_LIMIT : positiveInt('corridor:wafRateLimit', wafRaw);
  // WAF rate-based rules accept limits from 10 up; below that the rule is rejected at deploy time.
  if (wafRateLimit < 10) throw new Error('context corridor:wafRateLimit must be at least 10 (WAF minimum)');
  const originVerifyVersion = string(ctx, 'corridor:originVerifyVersion');
  const metricsDetail = (string(ctx, 'corridor:metricsDetail') ?? DEFAULT_METRICS_DETAIL) as MetricsDetail;
  if (!METRICS_DETAILS.includes(metricsDetail)) {
    throw new Error(`context corridor:metricsDetail must be one of ${METRICS_DETAILS.join(', ')}, got ${metricsDetail}`);
  }
  const overdueRaw = ctx('corridor:deliveryOverdueDays');
  const deliveryOverdueDays = absent(overdueRaw) ? DEFAULT_DELIVERY_OVERDUE_DAYS : positiveInt('corridor:deliveryOverdueDays', overdueRaw);
  if (deliveryOverdueDays > MAX_DELIVERY_OVERDUE_DAYS) throw new Error(`context corridor:deliveryOverdueDays must be at most ${MAX_DELIVERY_OVERDUE_DAYS}`);
  const slowRaw = ctx('corridor:slowRequestMs');
  const slowRequestMs = absent(slowRaw) ? DEFAULT_SLOW_REQUEST_MS : positiveInt('corridor:slowRequestMs', slowRaw);
  const tracing = (string(ctx, 'corridor:tracing') ?? DEFAULT_TRACING) as TracingMode;
  if (!TRACING_MODES.includes(tracing)) throw new Error(`context corridor:tracing must be one of ${TRACING_MODES.join(', ')}, got ${tracing}`);
  return {
    exchangeId: string(ctx, 'exchangeId') ?? DEFAULT_EXCHANGE_ID,
    edge,
    wafRateLimit,
    ...(originVerifyVersion ? { originVerifyVersion } : {}),
    throttle: overrides('corridor:throttle', object(ctx, 'corridor:throttle'), DEFAULT_THROTTLE, throttle),
    reservedConcurrency: overrides('corridor:reservedConcurrency', object(ctx, 'corridor:reservedConcurrency'),
      DEFAULT_RESERVED_CONCURRENCY, (path, raw) => positiveInt(path, raw)),
    ...(domain ? { customDomain: domain } : {}),
    metricsDetail,
    deliveryOverdueDays,
    tracing,
    slowRequestMs,
  };
}
