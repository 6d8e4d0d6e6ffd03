/**
 * Synthesizes the real CDK app (as `cdk synth` would, with cdk.json's context) once per test file: bundling seven
 * functions takes seconds. Runs with the network and Docker made unusable, so a test passing proves synth is offline.
 * Variants (other context values) skip bundling, as `cdk synth` does for stacks it was not asked for: the template is
 * the same but for asset hashes, and each costs a second or two instead of a full bundle.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { createCorridorApp, type CorridorApp } from '../../lib/corridor-app.ts';
import { PROJECT_ROOT } from '../../lib/constructs/handler-function.ts';

/** The subset of CDK's `validation-report.json` the tests read. */
export interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: 'success' | 'failure';
    readonly violations: readonly {
      readonly ruleName: string;
      readonly description: string;
      readonly severity: string;
      readonly violatingConstructs: readonly { readonly constructPath: string }[];
    }[];
  }[];
}

export interface Synthesized extends CorridorApp {
  readonly template: Template;
  readonly assemblyDir: string;
  readonly report: ValidationReport;
}

/** Anything that tries Docker or the network during synth fails instead of silently succeeding. */
const OFFLINE_ENV: Readonly<Record<string, string>> = {
  CDK_DOCKER: '/nonexistent/docker-must-not-be-used',
  npm_config_offline: 'true',
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  NO_PROXY: '',
  no_proxy: '',
};

function withEnv<T>(env: Readonly<Record<string, string>>, f: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

let cached: Synthesized | undefined;

export function synthesize(): Synthesized {
  if (cached) return cached;
  const outdir = mkdtempSync(join(tmpdir(), 'corridor-cdk-'));
  cached = withEnv(OFFLINE_ENV, () => {
    const built = createCorridorApp({
      outdir,
      context: {
        ...cdkJsonContext(),
        // What the CDK CLI adds on `cdk synth`, so the template is the one that would be deployed.
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:enable-asset-metadata': true,
        'aws:cdk:version-reporting': true,
        // Collect findings in validation-report.json instead of throwing, so nag.test.ts can list them all.
        '@aws-cdk/core:failSynthOnValidationErrors': false,
      },
    });
    const assembly = built.app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
    return { ...built, template: Template.fromStack(built.stack), assemblyDir: assembly.directory, report };
  });
  return cached;
}

export interface Variant extends CorridorApp {
  readonly assemblyDir: string;
  readonly report: ValidationReport;
  /** Template of each stack of the app (the Corridor stack, and the web ACL stack with the cloudfront-waf edge). */
  readonly templates: readonly { readonly stack: Stack; readonly template: Template; readonly file: string }[];
}

/**
 * Account and region of cloudfront-waf variants, which need a concrete region (the web ACL is in us-east-1); the other
 * variants stay environment-agnostic, like `cdk synth` of the default app.
 */
export const VARIANT_ENV = { account: '123456789012', region: 'eu-central-1' } as const;

const variants = new Map<string, Variant>();

/** The app with cdk.json's context plus `context`, without bundling; cached per context within a test file. */
export function synthesizeVariant(context: Readonly<Record<string, unknown>> = {}): Variant {
  const cacheKey = JSON.stringify(context);
  const hit = variants.get(cacheKey);
  if (hit) return hit;
  const outdir = mkdtempSync(join(tmpdir(), 'corridor-cdk-variant-'));
  const variant = withEnv(OFFLINE_ENV, () => {
    const built = createCorridorApp({
      outdir,
      context: {
        ...cdkJsonContext(),
        'aws:cdk:bundling-stacks': [],
        '@aws-cdk/core:failSynthOnValidationErrors': false,
        ...context,
      },
    }, context['corridor:edge'] === 'cloudfront-waf' ? { env: VARIANT_ENV } : {});
    const assembly = built.app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
    const stacks: Stack[] = [built.stack, ...(built.wafStack ? [built.wafStack] : [])];
    const templates = stacks.map((stack) => {
      const file = join(assembly.directory, stack.templateFile);
      return { stack, template: Template.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>), file };
    });
    return { ...built, assemblyDir: assembly.directory, report, templates };
  });
  variants.set(cacheKey, variant);
  return variant;
}
