/**
 * The origin check of the deployed API handlers (origin-verify.ts), built once per process and only when
 * CORRIDOR_ORIGIN_VERIFY_SECRET_ARN is set (corridor:edge=cloudfront-waf). Without it (`npm start`) there is no check,
 * and the Secrets Manager client is neither built nor its module evaluated. A function bundled for corridor:edge=http-api
 * (the default) does not even contain them: CDK defines `process.env.CORRIDOR_EDGE` when bundling (lambdas/bundle-modes.ts).
 */
import { systemClock } from '../adapters/aws/aws-services.ts';
import { readConfig, readOriginVerifySecretArn } from '../config.ts';
import { OriginVerifier, type OriginCheck, type OriginSecrets } from './origin-verify.ts';
import { logger, telemetry, tracer } from './runtime.ts';

let check: OriginCheck | null | undefined;

export function runtimeOriginCheck(): OriginCheck | undefined {
  // Keep `process.env.CORRIDOR_EDGE` literal: replaced by a constant at bundling, it makes the rest of this dead code.
  if (process.env.CORRIDOR_EDGE === 'http-api') return undefined;
  if (check === undefined) {
    const secretArn = readOriginVerifySecretArn();
    check = secretArn
      ? new OriginVerifier(lazySecrets(secretArn), systemClock, {
        refused: (o) => logger.warn('origin refused', { ...o }),
        dependencyFailed: (o) => telemetry.dependencyFailed(o),
      })
      : null;
  }
  return check ?? undefined;
}

/**
 * The adapter (and the SDK client it brings) is imported on first use; its calls are X-Ray subsegments like every SDK
 * call (corridor:tracing=sdk). The `import()` sits in a branch on the defined edge mode: esbuild drops it while parsing
 * an http-api bundle, before deciding which modules must be wrapped for lazy loading. An `import()` it keeps, even in
 * code it later finds unused, wraps the target's whole import graph, and with it keeps every command of the DynamoDB
 * and KMS packages (their index re-exports them): +74 KB in every API function.
 */
function lazySecrets(secretArn: string): OriginSecrets {
  let source: Promise<OriginSecrets> | undefined;
  return {
    async values() {
      if (process.env.CORRIDOR_EDGE === 'http-api') {
        throw new Error('an http-api bundle has no origin check');
      } else if (!source) {
        source = import('../adapters/aws/secrets-manager-origin-secrets.ts').then(({ SecretsManagerOriginSecrets, secretsManagerClient }) => {
          const client = secretsManagerClient(readConfig());
          tracer?.captureAWSv3Client(client);
          return new SecretsManagerOriginSecrets(client, secretArn);
        });
        source.catch(() => (source = undefined)); // a failed import is tried again by the next request
      }
      return (await source).values();
    },
  };
}
