/**
 * Powertools' Tracer, imported only with corridor:tracing=sdk (runtime.ts). Importing it loads the X-Ray SDK, which
 * installs an async_hooks hook at once that every promise of the process then pays for; in the default `function`
 * mode this module is not in the bundle at all (lambdas/bundle-modes.ts).
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from '../adapters/aws/powertools-telemetry.ts';

/** Outside Lambda (no AWS_EXECUTION_ENV) Powertools turns the Tracer off by itself. */
export function sdkTracer(): Tracer {
  return new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });
}
