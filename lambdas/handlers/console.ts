/**
 * Lambda for the auditor console (web/console): a static file server for three built assets,
 * embedded at build time by web/build.ts. It reads no environment and talks to nothing, so it
 * needs no permissions; the page itself calls the exchange's public and signed routes.
 *
 * Not behind the origin check of corridor:edge=cloudfront-waf (front-door.ts), though on the same HTTP API: reached
 * around CloudFront it gives away only these public files, while the check would give it a role that reads a secret and
 * the AWS SDK. Its route throttle and reserved concurrency bound it, and the page's calls to the API from an execute-api
 * origin are refused by the API handlers' own check.
 */
import { CONSOLE_ASSETS } from './console-assets.generated.ts';
import { json, type HttpEvent, type HttpResult } from './http-edge.ts';

/** The page may load only its own script and stylesheet and talk only to its own origin. */
const SECURITY: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export async function handler(event: HttpEvent): Promise<HttpResult> {
  const method = event.requestContext.http.method;
  if (method !== 'GET' && method !== 'HEAD') return json(405, { title: 'Method Not Allowed', status: 405 }, { allow: 'GET, HEAD', ...SECURITY });
  const asset = CONSOLE_ASSETS[event.rawPath === '/console' ? '/console/' : event.rawPath];
  if (!asset) return json(404, { title: 'Not Found', status: 404 }, SECURITY);
  return {
    statusCode: 200,
    headers: { 'content-type': asset.contentType, 'cache-control': 'no-cache', ...SECURITY },
    body: method === 'HEAD' ? '' : asset.body,
  };
}
