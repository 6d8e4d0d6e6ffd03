/**
 * Services for the deployed handlers, built once per Lambda container from the environment,
 * with Powertools telemetry: JSON logs, EMF metrics and, with corridor:tracing=sdk, X-Ray
 * subsegments for every AWS SDK call. `npm start` imports these same modules, so local logs are
 * the same JSON lines.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { awsClients, buildServices } from '../adapters/aws/aws-services.ts';
import { METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../adapters/aws/powertools-telemetry.ts';
import { StreamLogger } from '../adapters/aws/stream-logger.ts';
import { ConfigError, readConfig, readMetricsDetail, readSlowRequestMs } from '../config.ts';
import { TRACING_ENV, TRACING_MODES } from '../bundle-modes.ts';
import { Exchange } from '../core/exchange.ts';
import type { CoreServices } from '../core/services.ts';

export const logger = new StreamLogger({ serviceName: SERVICE_NAME });
// Replaced by a constant when CDK bundles the function (lambdas/bundle-modes.ts): keep `process.env.CORRIDOR_TRACING`
// literal, so the `sdk` branch, and with it the X-Ray SDK, is not in a `function` bundle.
const tracing = process.env.CORRIDOR_TRACING ?? 'function';
if (!(TRACING_MODES as readonly string[]).includes(tracing)) throw new ConfigError(`${TRACING_ENV} must be one of ${TRACING_MODES.join(', ')}`);
/**
 * Powertools' Tracer with corridor:tracing=sdk; undefined in the default `function` mode, where Lambda's active tracing
 * records each invocation and nothing in the process adds to the trace.
 */
export const tracer: Tracer | undefined = process.env.CORRIDOR_TRACING === 'sdk' ? (await import('./sdk-tracer.ts')).sdkTracer() : undefined;
/**
 * Request metrics dimensioned per CORRIDOR_METRICS_DETAIL (context corridor:metricsDetail; `decision` by default); a log
 * line per denial, error or request slower than CORRIDOR_SLOW_REQUEST_MS (context corridor:slowRequestMs).
 */
export const telemetry = new PowertoolsTelemetry(logger, new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), tracer, readMetricsDetail(), readSlowRequestMs());

let services: CoreServices | undefined;
let exchange: Exchange | undefined;

export function runtimeServices(): CoreServices {
  if (!services) {
    const cfg = readConfig();
    const clients = awsClients(cfg);
    // Subsegments name the service, operation, table and AWS request id; never keys or item values.
    tracer?.captureAWSv3Client(clients.dynamodb);
    tracer?.captureAWSv3Client(clients.kms);
    services = buildServices(cfg, clients, telemetry);
  }
  return services;
}

export function runtimeExchange(): Exchange {
  return (exchange ??= new Exchange(runtimeServices()));
}

/** The data-key cache use since the last report (the cipher counts; see PowertoolsTelemetry.dataKeyCache). */
export function reportDataKeyCache(): void {
  if (services) telemetry.dataKeyCache(services.cipher.stats);
}
