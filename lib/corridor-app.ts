/** Builds the CDK app (stack + cdk-nag packs) in one place, so `cdk synth` and the infra tests synthesize the same thing. */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { CorridorStack, DEFAULT_EXCHANGE_ID, DEFAULT_RESERVED_CONCURRENCY } from './corridor-stack.ts';

export const STACK_NAME = 'Corridor';

export interface CorridorApp {
  readonly app: App;
  readonly stack: CorridorStack;
}

/** Context values arrive as strings from `cdk -c name=value` and as JSON values from cdk.json. */
function positiveInt(app: App, name: string, fallback: number): number {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`context ${name} must be a positive integer, got ${String(raw)}`);
  return n;
}

function nonEmptyString(app: App, name: string, fallback: string): string {
  const raw: unknown = app.node.tryGetContext(name);
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (typeof raw !== 'string') throw new Error(`context ${name} must be a string`);
  return raw;
}

export function createCorridorApp(props: AppProps = {}): CorridorApp {
  const app = new App(props);
  const stack = new CorridorStack(app, STACK_NAME, {
    exchangeId: nonEmptyString(app, 'exchangeId', DEFAULT_EXCHANGE_ID),
    reservedConcurrency: positiveInt(app, 'reservedConcurrency', DEFAULT_RESERVED_CONCURRENCY),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  return { app, stack };
}
