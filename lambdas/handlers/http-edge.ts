/**
 * The HTTP edge shared by the handlers: API Gateway HTTP API (payload 2.0) events in,
 * results out. Bytes reach the core unchanged (API Gateway base64-encodes binary bodies).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ActionAnswer, Exchange } from '../core/exchange.ts';
import { CorridorError } from '../core/errors.ts';
import { actionForPath, type HandlerGroup } from '../core/routes.ts';
import type { OriginCheck } from './origin-verify.ts';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function rawBody(event: HttpEvent): Uint8Array {
  if (!event.body) return new Uint8Array(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

export function json(status: number, body: unknown, extra: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { 'content-type': 'application/json', ...extra }, body: JSON.stringify(body) };
}

function answer(a: ActionAnswer): HttpResult {
  const headers: Record<string, string> = { 'content-type': a.contentType, 'cache-control': 'no-store' };
  if (a.retryAfter) headers['retry-after'] = String(a.retryAfter); // RFC 9110 §10.2.3 delay-seconds
  return { statusCode: a.status, headers, body: a.body };
}

/** A Lambda handler for one route group: every action route of that group goes through the Exchange. */
export function actionHandler(group: HandlerGroup, exchange: () => Exchange): (event: HttpEvent) => Promise<HttpResult> {
  return async (event) => {
    const route = actionForPath(event.rawPath);
    if (!route || route.group !== group || event.requestContext.http.method !== 'POST') {
      return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
    }
    try {
      return answer(await exchange().handle({
        act: route.act,
        contentType: event.headers['content-type'],
        body: rawBody(event),
        sourceIp: event.requestContext.http.sourceIp,
        requestId: event.requestContext.requestId,
      }));
    } catch (e) {
      return lastResort(event, e);
    }
  };
}

/**
 * The Exchange answers every request itself, refusals and dependency failures included; reaching here means a
 * defect escaped it. Fail closed with the same unsigned 503 the exchange gives without a signing key (clients treat
 * it as untrusted and retry), never API Gateway's bare 500. Only the error's class is logged: its message could
 * quote input.
 */
function lastResort(event: HttpEvent, e: unknown): HttpResult {
  const error = e instanceof Error ? e.constructor.name : typeof e;
  process.stderr.write(`${JSON.stringify({ level: 'ERROR', message: 'unhandled in exchange', requestId: event.requestContext.requestId, error })}\n`);
  const problem = new CorridorError('ERR_DEPENDENCY_FAILED', 'the exchange could not answer this request; nothing was changed, retry with a new jti').toProblem();
  return { statusCode: 503, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'retry-after': '1' }, body: JSON.stringify(problem) };
}

/**
 * `handler` behind the origin check of corridor:edge=cloudfront-waf, or `handler` itself without one (http-api,
 * `npm start`): a refused request never reaches it; an admitted one carries the client's address as its sourceIp.
 */
export function behindFrontDoor(check: OriginCheck | undefined, handler: (event: HttpEvent) => Promise<HttpResult>): (event: HttpEvent) => Promise<HttpResult> {
  if (!check) return handler;
  return async (event) => {
    const admission = await check.admit(event);
    if (!admission.ok) return admission.result;
    return handler({ ...event, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, sourceIp: admission.sourceIp } } });
  };
}
