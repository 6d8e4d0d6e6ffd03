/** Builds the CDK app (stacks + cdk-nag packs) in one place, so `cdk synth` and the infra tests synthesize the same thing. */
import { App, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { CorridorStack } from './corridor-stack.ts';
import { EdgeWafStack, WAF_REGION } from './edge-waf-stack.ts';
import { readSettings, type CorridorSettings } from './settings.ts';

export const STACK_NAME = 'Corridor';
export const WAF_STACK_NAME = 'CorridorEdgeWaf';

export interface CorridorApp {
  readonly app: App;
  readonly stack: CorridorStack;
  /** The us-east-1 web ACL stack, with corridor:edge=cloudfront-waf. */
  readonly wafStack?: EdgeWafStack;
  readonly settings: CorridorSettings;
}

export interface CorridorAppOptions {
  /**
   * Account and region of the Corridor stack. Only the cloudfront-waf edge needs a concrete region (its web ACL is in
   * us-east-1 and referenced across regions); `cdk` provides CDK_DEFAULT_REGION from the profile. Otherwise the stack
   * stays environment-agnostic.
   */
  readonly env?: Environment;
}

export function createCorridorApp(props: AppProps = {}, options: CorridorAppOptions = {}): CorridorApp {
  const app = new App(props);
  const settings = readSettings(app);
  let stack: CorridorStack;
  let wafStack: EdgeWafStack | undefined;
  if (settings.edge === 'cloudfront-waf') {
    const env = options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    if (!env.region) throw new Error('corridor:edge=cloudfront-waf needs a region for the Corridor stack (AWS_REGION or a profile region)');
    const crossRegion = env.region !== WAF_REGION;
    wafStack = new EdgeWafStack(app, WAF_STACK_NAME, {
      env: { ...env, region: WAF_REGION },
      crossRegionReferences: crossRegion,
      rateLimit: settings.wafRateLimit,
    });
    // The reference to the web ACL's ARN also orders the deployment: the web ACL stack first.
    stack = new CorridorStack(app, STACK_NAME, { env, crossRegionReferences: crossRegion, settings, webAclArn: wafStack.webAcl.attrArn });
  } else {
    stack = new CorridorStack(app, STACK_NAME, { settings, ...(options.env ? { env: options.env } : {}) });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  return { app, stack, ...(wafStack ? { wafStack } : {}), settings };
}
