/**
 * The HTTP API, routes generated from ACTION_ROUTES / PUBLIC_ROUTES so CDK, the local server and the configuration
 * document agree; throttled per route class (lib/limits.ts); optionally on a custom domain with mutual TLS.
 */
import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ACTION_ROUTES, PUBLIC_ROUTES, type HandlerGroup } from '../../lambdas/core/routes.ts';
import { ACTION_CLASS, type RouteClass, type Throttle } from '../limits.ts';
import type { CustomDomainSettings } from '../settings.ts';
import { encryptedLogGroup } from './logging.ts';

/** Served by discovery besides PUBLIC_ROUTES: the OpenAPI description of the exchange. */
export const OPENAPI_PATH = '/openapi.json';

/** The auditor console's routes: its page at PUBLIC_ROUTES.console and its files below it. */
export const CONSOLE_PATHS = [PUBLIC_ROUTES.console, `${PUBLIC_ROUTES.console}/{proxy+}`] as const;

/** The GET routes served by discovery: PUBLIC_ROUTES but the console, and the OpenAPI description. */
export const DISCOVERY_PATHS: readonly string[] = [
  ...Object.entries(PUBLIC_ROUTES).filter(([name]) => name !== 'console').map(([, path]) => path),
  OPENAPI_PATH,
];

/** HTTP API access log fields (JSON, one line per request). */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
  userAgent: '$context.identity.userAgent',
};

export interface ExchangeApiProps {
  readonly functions: Readonly<Record<HandlerGroup, lambda.IFunction>>;
  /** Serves the auditor console's static files (CONSOLE_PATHS). */
  readonly consoleFunction: lambda.IFunction;
  readonly logsKey: kms.IKey;
  /** Stage default (`default`) and per-route-class limits. */
  readonly throttle: Readonly<Record<RouteClass, Throttle>>;
  /** A custom domain with mutual TLS; the execute-api endpoint is then disabled, so mTLS cannot be bypassed. */
  readonly customDomain?: CustomDomainSettings;
}

/** The route key (`METHOD /path`) of every route outside the stage default, with its class. */
export function throttledRoutes(): { routeKey: string; cls: RouteClass }[] {
  const out: { routeKey: string; cls: RouteClass }[] = [];
  for (const r of ACTION_ROUTES) {
    const cls = ACTION_CLASS[r.act];
    if (cls && cls !== 'default') out.push({ routeKey: `POST ${r.path}`, cls });
  }
  for (const path of CONSOLE_PATHS) out.push({ routeKey: `GET ${path}`, cls: 'console' });
  return out;
}

export class ExchangeApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly domain?: apigwv2.DomainName;

  constructor(scope: Construct, id: string, props: ExchangeApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Corridor exchange: signed (JWS) action POSTs, public discovery GETs and the auditor console',
      createDefaultStage: false,
      disableExecuteApiEndpoint: props.customDomain !== undefined,
    });
    this.accessLogs = encryptedLogGroup(this, 'AccessLogs', props.logsKey);
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.default.rate, burstLimit: props.throttle.default.burst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integrations = {} as Record<HandlerGroup, HttpLambdaIntegration>;
    for (const group of Object.keys(props.functions) as HandlerGroup[]) {
      integrations[group] = new HttpLambdaIntegration(`${group}-integration`, props.functions[group], {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      });
    }

    for (const route of ACTION_ROUTES) {
      this.route(route.path, apigwv2.HttpMethod.POST, integrations[route.group],
        `${route.act}: the body is a compact JWS (application/jose). The ${route.group} handler verifies it against the ` +
        'signing agency\'s key in the agency key registry (the operator is such an agency, with the operator role), then ' +
        'audience, expiry, act and jti replay guard, before acting; every refusal is audited. Authentication is the ' +
        'signature over the body itself, which no API Gateway authorizer (JWT, IAM, Lambda on headers) can check.');
    }
    for (const path of DISCOVERY_PATHS) {
      this.route(path, apigwv2.HttpMethod.GET, integrations.discovery,
        'Public by protocol design: serves only the exchange configuration, public JWK sets and the OpenAPI description, ' +
        'which agencies fetch unauthenticated to verify signatures and to bootstrap; read-only, no secrets or documents, ' +
        'and throttled at the stage.');
    }
    const consoleIntegration = new HttpLambdaIntegration('console-integration', props.consoleFunction, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    for (const path of CONSOLE_PATHS) {
      this.route(path, apigwv2.HttpMethod.GET, consoleIntegration,
        'Public static files of the auditor console (HTML, script, stylesheet embedded in the function): the page holds no ' +
        'data; besides the public discovery documents, every data request it makes is a signed audit.* action, authenticated ' +
        'by its JWS signature in the handlers, and the auditor\'s private key stays in the browser. Read-only, with its own route throttle.');
    }
    this.throttleRoutes(props.throttle);
    if (props.customDomain) this.domain = this.mutualTlsDomain(props.customDomain);
  }

  /** Route-level limits below the stage default (HTTP API route settings, keyed by route key). */
  private throttleRoutes(throttle: Readonly<Record<RouteClass, Throttle>>): void {
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const { routeKey, cls } of throttledRoutes()) {
      settings[routeKey] = { ThrottlingRateLimit: throttle[cls].rate, ThrottlingBurstLimit: throttle[cls].burst };
    }
    cfnStage.addPropertyOverride('RouteSettings', settings);
    // API Gateway rejects route settings for routes that do not exist yet.
    for (const child of this.api.node.children) {
      if (child instanceof apigwv2.HttpRoute) cfnStage.node.addDependency(child);
    }
  }

  private mutualTlsDomain(d: CustomDomainSettings): apigwv2.DomainName {
    const [, bucketName, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(d.truststoreUri)!;
    const domain = new apigwv2.DomainName(this, 'Domain', {
      domainName: d.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', d.certificateArn),
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      ...(d.ownershipCertificateArn
        ? { ownershipCertificate: acm.Certificate.fromCertificateArn(this, 'OwnershipCertificate', d.ownershipCertificateArn) }
        : {}),
      mtls: {
        bucket: s3.Bucket.fromBucketName(this, 'Truststore', bucketName!),
        key: key!,
        ...(d.truststoreVersion ? { version: d.truststoreVersion } : {}),
      },
    });
    new apigwv2.ApiMapping(this, 'Mapping', { api: this.api, domainName: domain, stage: this.stage });
    return domain;
  }

  /** API URL: the custom domain when there is one, else the execute-api endpoint ($default stage, so its root). */
  get url(): string {
    return this.domain ? `https://${this.domain.name}/` : this.stage.url;
  }

  private route(path: string, method: apigwv2.HttpMethod, integration: HttpLambdaIntegration, authReason: string): void {
    for (const r of this.api.addRoutes({ path, methods: [method], integration })) {
      Validations.of(r).acknowledge({ id: 'AwsSolutions-APIG4', reason: authReason });
    }
  }
}
