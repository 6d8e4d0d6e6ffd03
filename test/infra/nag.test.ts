/**
 * cdk-nag (v3: policy-validation plugins, findings in validation-report.json, acknowledgements via Validations):
 * the AwsSolutions and NIST 800-53 R5 packs report nothing unacknowledged, and every acknowledgement is specific,
 * reasoned and still needed.
 */
import { beforeAll, describe, it, expect } from 'vitest';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { acknowledgements, findings, reportedNagFindings, unusedAcknowledgements } from './nag-helpers.ts';
import { synthesize, type Synthesized } from './synth.ts';

const BUNDLING_TIMEOUT = 120_000;

let s: Synthesized;
beforeAll(() => {
  s = synthesize();
}, BUNDLING_TIMEOUT);

describe('cdk-nag', { timeout: BUNDLING_TIMEOUT }, () => {
  it('synthesis reports no unacknowledged AwsSolutions or NIST 800-53 R5 error or warning', () => {
    expect(reportedNagFindings(s.report)).toEqual([]);
  });

  it('the packs did run over the stack (a clean pack leaves no report, so run them directly too)', () => {
    expect(findings(new AwsSolutionsChecks(), s.app)).toEqual([]);
    expect(findings(new NIST80053R5Checks(), s.app)).toEqual([]);
  });

  it('no other validation plugin or construct annotation reports anything', () => {
    const listed = s.report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName}: ${v.severity} ${v.ruleName} ${v.description}`));
    expect(listed).toEqual([]);
    expect(Annotations.fromStack(s.stack).findError('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(s.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('acknowledges only on specific resources, with a specific reason', () => {
    const acks = acknowledgements(s.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) {
      // Not on the app or the stack: each acknowledgement names the resources it is about.
      expect(a.path.split('/').length, `${a.id} at ${a.path}`).toBeGreaterThan(2);
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(100);
    }
    // IAM findings are acknowledged per finding (RuleId[Finding]), never for the whole rule.
    for (const a of acks.filter((x) => /-IAM[45]$/.test(x.id))) expect.fail(`blanket ${a.id} at ${a.path}`);
  });

  it('every function acknowledges the DLQ finding with the reason of how it is invoked', () => {
    const dlq = acknowledgements(s.app).filter((a) => a.id === 'NIST.800.53.R5-LambdaDLQ');
    const byName = s.stack.handlers.byName;
    for (const [name, h] of Object.entries(byName)) {
      const ack = dlq.find((a) => a.path === h.fn.node.path);
      expect(ack, name).toBeDefined();
      const how = { sealer: /EventBridge schedule \(the sealer's completeness check every minute.*next run.*on-failure queue/, overdue: /EventBridge schedule .*overdue scan every hour.*next run/, notifier: /DynamoDB stream event source mapping.*on-failure destination/, deliverer: /SQS event source mapping.*redrive dead-letter queue/ } as Record<string, RegExp>;
      expect(ack!.reason, name).toMatch(how[name] ?? /synchronously by the HTTP API/);
    }
    expect(dlq.length).toBe(Object.keys(byName).length);
  });

  it('the console: its two routes acknowledge APIG4 as public static files, its function the VPC finding as reaching nothing', () => {
    const acks = acknowledgements(s.app);
    const routes = s.stack.exchangeApi.api.node.children.filter((c) => /console/i.test(c.node.id));
    const apig4 = acks.filter((a) => a.id === 'AwsSolutions-APIG4' && routes.some((r) => a.path === r.node.path));
    expect(apig4.length).toBe(2);
    for (const a of apig4) {
      expect(a.reason).toMatch(/static files of the auditor console/);
      expect(a.reason).toMatch(/holds no data/);
      expect(a.reason).toMatch(/signed audit\.\* action/);
      expect(a.reason).toMatch(/private key stays in the browser/);
    }
    const fn = s.stack.handlers.console.fn.node.path;
    expect(acks.find((a) => a.path === fn && a.id === 'NIST.800.53.R5-LambdaInsideVPC')!.reason).toMatch(/opens no network connection/);
    expect(acks.find((a) => a.path === fn && a.id === 'NIST.800.53.R5-LambdaDLQ')!.reason).toMatch(/static files.*changes no state/);
  });

  it('every acknowledgement is still needed: without it the pack reports that rule there', () => {
    expect(unusedAcknowledgements(s.app).map((a) => `${a.id} at ${a.path}`)).toEqual([]);
    expect(findings(new AwsSolutionsChecks(), s.app)).toEqual([]);
  });
});
