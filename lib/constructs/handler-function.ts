/** One handler (an API group, the console or the sealer) as a Lambda: bundled locally by esbuild (never Docker) to ESM, own role, own encrypted log group, explicit grants only. */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleDefine, DEFAULT_BUNDLE_MODES, type BundleModes } from '../../lambdas/bundle-modes.ts';
import type { HandlerGroup } from '../../lambdas/core/routes.ts';
import { encryptedLogGroup } from './logging.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Lambda runtime and the matching esbuild target: the newest Node.js runtime this aws-cdk-lib knows (cdk-nag AwsSolutions-L1). */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';
/** Lets CommonJS dependencies inside the ESM bundle `require` Node built-ins. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Every Lambda of the stack: one per API handler group, the auditor console (static files) and the scheduled sealer.
 * Each is one file in `lambdas/handlers/`.
 */
export type HandlerName = HandlerGroup | 'console' | 'sealer' | 'overdue' | 'notifier' | 'deliverer';

/** How a function is invoked, which decides its retry behaviour (and why it has no dead-letter queue). */
export type Invocation = 'http-api' | 'schedule' | 'stream' | 'queue';

export function invocationOf(name: HandlerName): Invocation {
  return name === 'sealer' || name === 'overdue' ? 'schedule' : name === 'notifier' ? 'stream' : name === 'deliverer' ? 'queue' : 'http-api';
}

export function handlerEntry(name: HandlerName): string {
  return fileURLToPath(new URL(`../../lambdas/handlers/${name}.ts`, import.meta.url));
}

/**
 * What a function talks to over the network: AWS service APIs (DynamoDB, KMS) under its role, or nothing at all (the
 * console returns files embedded in its bundle). Decides the reasons of its DLQ and VPC acknowledgements.
 */
export type Reach = 'aws-apis' | 'nothing' | 'aws-apis-and-webhooks';

/** Why no dead-letter queue, per invocation (acknowledges NIST.800.53.R5-LambdaDLQ on the function). */
const NO_DLQ_REASON: Readonly<Record<Invocation, string>> = {
  'http-api':
    'Invoked only synchronously by the HTTP API: a failed call is answered to the calling agency (which retries with a ' +
    'fresh signed request) and recorded in the audit table. Lambda never retries these events, so a dead-letter queue would stay empty.',
  schedule:
    'Invoked by an EventBridge schedule (the sealer\'s completeness check every minute, the psv.overdue scan every hour), with ' +
    'Lambda retries off: a failed run is retried by the next run, which redoes whatever is still undone (the check resumes ' +
    'after its cursor and seals every event it finds unsealed; the overdue scan resumes after its cursor and notifies each ' +
    'case at most once), so nothing is lost and a dead-letter queue would hold only empty schedule events. The sealer\'s ' +
    'stream batches come from its event source mapping, whose own on-failure queue has an alarm. Each schedule\'s errors ' +
    'alarm is the signal of a failed run.',
  stream:
    'Invoked only by its DynamoDB stream event source mapping, never asynchronously: a function DLQ applies to asynchronous ' +
    'invocations only. Records that keep failing go to the mapping\'s own on-failure destination (an SQS queue with an alarm, ' +
    'lib/constructs/notifications.ts).',
  queue:
    'Invoked only by its SQS event source mapping, never asynchronously: a function DLQ applies to asynchronous invocations ' +
    'only. Messages that keep failing move to the source queue\'s redrive dead-letter queue (with an alarm, lib/constructs/notifications.ts).',
};

/** The DLQ reason of a synchronously invoked function that changes no state (the console). */
const NO_DLQ_REASON_STATIC =
  'Invoked only synchronously by the HTTP API, for GETs of the auditor console\'s static files: a failed request is answered ' +
  'to the browser, which simply reloads; the function changes no state and Lambda never retries these events, so a ' +
  'dead-letter queue would stay empty.';

/** Why the function is outside a VPC (acknowledges NIST.800.53.R5-LambdaInsideVPC on the function). */
const NO_VPC_REASON: Readonly<Record<Reach, string>> = {
  'aws-apis':
    'The function reaches only DynamoDB and KMS, over the AWS API with TLS and SigV4 under its own least-privilege role; ' +
    'there are no VPC resources (databases, hosts) to reach, so a VPC would add NAT or endpoints without narrowing access.',
  nothing:
    'The function opens no network connection at all: it returns static files embedded in its bundle, calls no AWS service ' +
    'and its role grants nothing but writing its own logs, so there is nothing for a VPC to reach or restrict.',
  'aws-apis-and-webhooks':
    'Besides DynamoDB, KMS and SQS under its own role, the function POSTs notifications to partner agencies\' public https ' +
    'endpoints. Every address is checked in code before and after connecting (public unicast only: no private, loopback, ' +
    'link-local, unique-local or metadata address; protocol.md §10), so it cannot reach anything inside AWS a VPC would protect; ' +
    'a VPC would add NAT gateways (cost, a fixed egress IP) without narrowing what it may reach.',
};

/** How every function is bundled; exported so the cold-start benchmark (bench/) builds exactly what CDK deploys. */
/** The package whose default credential chain every SDK client imports, and what a bundled function gets instead. */
export const CREDENTIAL_CHAIN_PACKAGE = '@aws-sdk/credential-provider-node';
export const LAMBDA_CREDENTIALS_MODULE = fileURLToPath(new URL('../../lambdas/adapters/aws/lambda-credentials.ts', import.meta.url));

export const BUNDLING = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  // Maps without the original sources: stack traces under --enable-source-maps (nodeOptions) still resolve to file, line
  // and name, but Node reads and parses a map of ~1 MB instead of ~3.6 MB at every cold start (docs/performance.md).
  sourcesContent: false,
  target: ESBUILD_TARGET,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  // Bundle everything, the AWS SDK included: the deployed code is exactly what was tested, not the runtime's SDK.
  externalModules: [],
  // The SDK's credential chain reduced to its environment link, the one Lambda answers (lambdas/adapters/aws/lambda-credentials.ts).
  esbuildArgs: { '--alias': `${CREDENTIAL_CHAIN_PACKAGE}=${LAMBDA_CREDENTIALS_MODULE}` },
} as const satisfies BundlingOptions;

/**
 * NODE_OPTIONS of a function invoked so. `--enable-source-maps` makes Node read and JSON.parse the bundle's source map at
 * every cold start (~8–14 ms, a seventh of an API function's init: docs/performance.md), whether or not a stack is ever
 * formatted. An API function never logs a stack (a defect that escapes the exchange is logged by its class only,
 * http-edge.ts), so it goes without; the stream, queue and scheduled functions keep it, as the Lambda runtime logs the
 * stack of an error they throw (a batch to retry), and their cold start delays no client. The map is still built beside
 * every bundle, for looking up a minified position offline.
 */
export function nodeOptions(invocation: Invocation): string | undefined {
  return invocation === 'http-api' ? undefined : '--enable-source-maps';
}

/** Memory of every function unless it sets its own. */
export const DEFAULT_MEMORY_MB = 512;

export interface HandlerFunctionProps {
  readonly name: HandlerName;
  readonly invocation: Invocation;
  /** Variables besides NODE_OPTIONS (set per invocation: nodeOptions); omit for a function that needs none, such as the console. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly logsKey: kms.IKey;
  /** Upper bound on concurrent executions of this function (lib/limits.ts, context corridor:reservedConcurrency). */
  readonly reservedConcurrency: number;
  readonly timeout: Duration;
  /** Memory in MB; DEFAULT_MEMORY_MB unless set. */
  readonly memorySize?: number;
  /** What the function talks to over the network; 'aws-apis' unless set. */
  readonly reach?: Reach;
  /** corridor:tracing and corridor:edge, defined at bundling so the unused modes' code is left out; the defaults unless set. */
  readonly bundleModes?: BundleModes;
}

export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  /** The modes its bundle was built for (esbuild `define`, lambdas/bundle-modes.ts). */
  readonly bundleModes: BundleModes;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /**
   * The role's only permissions: a customer-managed policy, so every grant is visible in one document. It always holds
   * WriteOwnLogs, so it is never empty, even for a function granted nothing else (the console).
   */
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.bundleModes = props.bundleModes ?? DEFAULT_BUNDLE_MODES;
    this.logGroup = encryptedLogGroup(this, 'Logs', props.logsKey);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Corridor ${props.name} handler`,
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least-privilege grants of the Corridor ${props.name} handler`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });
    const reach = props.reach ?? 'aws-apis';
    // corridor:tracing=off: no active tracing and so no grant for it.
    const traced = reach !== 'nothing' && this.bundleModes.tracing !== 'off';
    if (traced) {
      // X-Ray has no resource-level permissions for these two actions: '*' is the only possible resource.
      this.policy.addStatements(new iam.PolicyStatement({ sid: 'WriteTraces', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }));
      Validations.of(this.policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; the statement grants nothing else.' });
    }

    this.fn = new NodejsFunction(this, 'Function', {
      description: `Corridor ${props.name} handler`,
      entry: handlerEntry(props.name),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      // A scheduled run is never retried by Lambda: the next scheduled run is the retry, and an invocation still queued
      // (throttled behind a running one) after two schedule periods is redundant with the runs that followed it.
      ...(props.invocation === 'schedule' ? { retryAttempts: 0, maxEventAge: Duration.minutes(2) } : {}),
      role: this.role,
      logGroup: this.logGroup,
      // JSON, with Lambda's own START/END/REPORT lines dropped below WARN: they were a line per invocation of pure cost
      // (duration and memory are Lambda metrics anyway). Application lines keep INFO: the handlers' lines are JSON with
      // a `level` already, and only denials, errors and slow requests produce one (docs/observability.md).
      loggingFormat: lambda.LoggingFormat.JSON,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      environment: { ...(props.environment ?? {}), ...withNodeOptions(nodeOptions(props.invocation)) },
      bundling: {
        ...BUNDLING, mainFields: [...BUNDLING.mainFields], externalModules: [...BUNDLING.externalModules],
        define: bundleDefine(this.bundleModes, props.name),
      },
    });
    // Active tracing in the `function` and `sdk` modes (`sdk` adds subsegments to these traces). Set on the resource, not
    // through `tracing:`, which would add the X-Ray grant to a second (inline) policy.
    if (traced) (this.fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: 'Active' };
    // The function must not start before its grants exist.
    this.fn.node.addDependency(this.policy);

    Validations.of(this.fn).acknowledge(
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason: props.invocation === 'http-api' && reach === 'nothing' ? NO_DLQ_REASON_STATIC : NO_DLQ_REASON[props.invocation],
      },
      { id: 'NIST.800.53.R5-LambdaInsideVPC', reason: NO_VPC_REASON[reach] },
    );
  }

  /** Adds statements to this function's own managed policy. */
  grant(...statements: iam.PolicyStatement[]): void {
    for (const s of statements) this.policy.addStatements(s);
  }
}

function withNodeOptions(options: string | undefined): Record<string, string> {
  return options ? { NODE_OPTIONS: options } : {};
}
