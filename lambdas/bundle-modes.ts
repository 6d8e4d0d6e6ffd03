/**
 * Deployment settings that decide what goes into a function's bundle, not only what it does: CDK defines each as
 * `process.env.<NAME>` when esbuild bundles the function (lib/constructs/handler-function.ts), so the code of the
 * modes a deployment does not use is dead and left out — a cold start parses only what it can run. Outside a bundle
 * (`npm start`, tests) the same names are read from the environment at run time.
 */

/**
 * `corridor:tracing` (CDK context), `CORRIDOR_TRACING` on the functions:
 * - `function` (default): Lambda active tracing only. Every invocation is a trace with its Initialization, Invocation
 *   and Overhead; the log lines carry its `xray_trace_id`. No X-Ray SDK in the bundle.
 * - `sdk`: also Powertools' Tracer (the X-Ray SDK): a `## <function>` subsegment with the request's annotations and a
 *   subsegment per DynamoDB, KMS, SQS and Secrets Manager call. Costs cold start and CPU on every promise
 *   (docs/performance.md, docs/observability.md).
 * - `off`: no active tracing, no X-Ray grant, no X-Ray SDK: X-Ray bills nothing (up to $5 per million requests on a
 *   quiet function); a log line's `xray_trace_id` then leads to no recorded trace.
 */
export type TracingMode = 'function' | 'sdk' | 'off';
export const TRACING_MODES: readonly TracingMode[] = ['function', 'sdk', 'off'];
export const DEFAULT_TRACING: TracingMode = 'function';
export const TRACING_ENV = 'CORRIDOR_TRACING';

/** `corridor:edge` (lib/settings.ts EdgeMode): only `cloudfront-waf` bundles the origin check's Secrets Manager client. */
export type BundledEdge = 'http-api' | 'cloudfront-waf';
export const EDGE_ENV = 'CORRIDOR_EDGE';

export interface BundleModes {
  readonly tracing: TracingMode;
  readonly edge: BundledEdge;
}

/** What the stack deploys without context: the modes the cold-start bench measures. */
export const DEFAULT_BUNDLE_MODES: BundleModes = { tracing: DEFAULT_TRACING, edge: 'http-api' };

/**
 * The function a bundle is for (a handler name: `licenses`, `sealer`, …), defined at bundling only, never an environment
 * variable: the core's action and validator tables (core/actions/index.ts, validators.generated.ts) then hold only that
 * handler group's, and a function that is no API group holds none. Unset when unbundled: every action.
 */
export const FUNCTION_ENV = 'CORRIDOR_FUNCTION';

/**
 * esbuild `define` for these modes and, given, the function bundled. The code tests `process.env.CORRIDOR_TRACING`,
 * `process.env.CORRIDOR_EDGE` and `process.env.CORRIDOR_FUNCTION` literally (a lookup through a variable would not be
 * replaced), so the untaken branches, their `import()`s and whatever only they reference drop out.
 */
export function bundleDefine(modes: BundleModes, fn?: string): Record<string, string> {
  return {
    [`process.env.${TRACING_ENV}`]: JSON.stringify(modes.tracing),
    [`process.env.${EDGE_ENV}`]: JSON.stringify(modes.edge),
    ...(fn ? { [`process.env.${FUNCTION_ENV}`]: JSON.stringify(fn) } : {}),
  };
}
