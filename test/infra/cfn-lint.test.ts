/**
 * cfn-lint (CloudFormation's own linter: resource schemas, intrinsic functions, region support) over every template of
 * the default app and of its variants. It is a Python tool: here it runs when installed, and CI (.ci/run) installs it
 * and sets CORRIDOR_REQUIRE_CFN_LINT, so there a missing cfn-lint fails instead of skipping.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { synthesizeVariant } from './synth.ts';

const LINT_TIMEOUT = 180_000;

/**
 * Rules ignored, with why. Only warnings: an error is never ignored.
 * - W3005 (DependsOn already enforced by a Ref/GetAtt): aws-cdk-lib's Lambda construct adds an explicit DependsOn on the
 *   function's role next to the GetAtt of its ARN; redundant, harmless, and not ours to change.
 */
export const IGNORED_RULES: Readonly<Record<string, string>> = {
  W3005: 'aws-cdk-lib adds DependsOn on a Lambda role it also references with GetAtt; redundant and harmless',
};

const VARIANTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  default: {},
  'cloudfront-waf edge': { 'corridor:edge': 'cloudfront-waf' },
  'mTLS custom domain': {
    'corridor:domainName': 'exchange.corridor.example',
    'corridor:certificateArn': 'arn:aws:acm:eu-central-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-000000000000',
    'corridor:mtlsTruststoreUri': 's3://corridor-truststore/partners/ca-bundle.pem',
  },
};

const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const available = cfnLint.status === 0;

interface Match { Rule: { Id: string }; Level: string; Message: string; Location: { Path: unknown[] } }

describe('cfn-lint', { timeout: LINT_TIMEOUT }, () => {
  it.for(Object.keys(VARIANTS))('%s: no errors and no warnings besides the documented ignores', (name, ctx) => {
    if (!available) {
      if (process.env.CORRIDOR_REQUIRE_CFN_LINT) expect.fail('cfn-lint is required here (CORRIDOR_REQUIRE_CFN_LINT) but is not on PATH');
      ctx.skip('cfn-lint is not installed (python3 -m pip install cfn-lint); .ci/run installs it and requires this test');
    }
    const v = synthesizeVariant(VARIANTS[name]);
    for (const { stack, file } of v.templates) {
      // Lint for the stack's own region when it has one (us-east-1 for the web ACL), else the exchange's usual one.
      const region = stack.region.startsWith('${') ? 'eu-central-1' : stack.region;
      const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', region, '--ignore-checks', ...Object.keys(IGNORED_RULES), '--', file], {
        encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
      });
      expect(run.error, `${name} ${stack.stackName}`).toBeUndefined();
      const matches = JSON.parse(run.stdout || '[]') as Match[];
      const listed = matches.map((m) => `${m.Level} ${m.Rule.Id} at ${m.Location.Path.join('/')}: ${m.Message}`);
      expect(listed, `${name} ${stack.stackName}`).toEqual([]);
      // Exit status is a bit mask of what was found (2 error, 4 warning, 8 info); informational notes are fine.
      expect(run.status! & 6, `${name} ${stack.stackName}: ${run.stderr}`).toBe(0);
    }
  });
});
