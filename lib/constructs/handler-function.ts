/** One handler group as a Lambda: bundled locally by esbuild (never Docker) to ESM, own role, own encrypted log group, explicit grants only. */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HandlerGroup } from '../../lambdas/core/routes.ts';
import { encryptedLogGroup } from './logging.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Lambda runtime and the matching esbuild target: the newest Node.js runtime this aws-cdk-lib knows (cdk-nag AwsSolutions-L1). */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ESBUILD_TARGET = 'node24';
/** Lets CommonJS dependencies inside the ESM bundle `require` Node built-ins. */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export function handlerEntry(group: HandlerGroup): string {
  return fileURLToPath(new URL(`../../lambdas/handlers/${group}.ts`, import.meta.url));
}

export interface HandlerFunctionProps {
  readonly group: HandlerGroup;
  readonly environment: Readonly<Record<string, string>>;
  readonly logsKey: kms.IKey;
  /** Upper bound on concurrent executions of this function (see CorridorStackProps.reservedConcurrency). */
  readonly reservedConcurrency: number;
}

export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The role's only permissions: a customer-managed policy, so every grant is visible in one document. */
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = encryptedLogGroup(this, 'Logs', props.logsKey);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Corridor ${props.group} handler`,
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least-privilege grants of the Corridor ${props.group} handler`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
      ],
    });

    this.fn = new NodejsFunction(this, 'Function', {
      description: `Corridor ${props.group} handler`,
      entry: handlerEntry(props.group),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: ESBUILD_TARGET,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle everything, the AWS SDK included: the deployed code is exactly what was tested, not the runtime's SDK.
        externalModules: [],
      },
    });
    // The function must not start before its grants exist.
    this.fn.node.addDependency(this.policy);

    Validations.of(this.fn).acknowledge(
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason:
          'Invoked only synchronously by the HTTP API: a failed call is answered to the calling agency (which retries with a ' +
          'fresh signed request) and recorded in the audit table. Lambda never retries these events, so a dead-letter queue would stay empty.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          'The function reaches only DynamoDB and KMS, over the AWS API with TLS and SigV4 under its own least-privilege role; ' +
          'there are no VPC resources (databases, hosts) to reach, so a VPC would add NAT or endpoints without narrowing access.',
      },
    );
  }

  /** Adds statements to this function's own managed policy. */
  grant(...statements: iam.PolicyStatement[]): void {
    for (const s of statements) this.policy.addStatements(s);
  }
}
