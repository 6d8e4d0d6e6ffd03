/**
 * Services for the deployed handlers, built once per Lambda container from the environment,
 * with Powertools telemetry: JSON logs, EMF metrics, and X-Ray subsegments for every AWS SDK
 * call. `npm start` imports these same modules, so local logs are the same JSON lines.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { awsClients, buildServices } from '../adapters/aws/aws-services.ts';
import { METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../adapters/aws/powertools-telemetry.ts';
import { StreamLogger } from '../adapters/aws/stream-logger.ts';
import { readConfig, readMetricsDetail } from '../config.ts';
import { Exchange } from '../core/exchange.ts';
import type { CoreServices } from '../core/services.ts';

export const logger = new StreamLogger({ serviceName: SERVICE_NAME });
/** Outside Lambda (no AWS_EXECUTION_ENV) Powertools turns the Tracer off by itself. */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
/** Request metrics dimensioned per CORRIDOR_METRICS_DETAIL (context corridor:metricsDetail; `decision` by default). */
export const telemetry = new PowertoolsTelemetry(logger, new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), tracer, readMetricsDetail());

let services: CoreServices | undefined;
let exchange: Exchange | undefined;

export function runtimeServices(): CoreServices {
  if (!services) {
    const cfg = readConfig();
    const clients = awsClients(cfg);
    // Subsegments name the service, operation, table and AWS request id; never keys or item values.
    tracer.captureAWSv3Client(clients.dynamodb);
    tracer.captureAWSv3Client(clients.kms);
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
