// The HTTP edge's own answers: what API Gateway sees when the exchange cannot answer.
import { describe, expect, it, vi } from 'vitest';
import type { Exchange } from '../../lambdas/core/exchange.ts';
import { actionHandler, type HttpEvent } from '../../lambdas/handlers/http-edge.ts';

const post = (rawPath: string, method = 'POST'): HttpEvent => ({
  version: '2.0', routeKey: `${method} ${rawPath}`, rawPath, rawQueryString: '', isBase64Encoded: false,
  headers: { 'content-type': 'application/jose' }, body: 'x.y.z',
  requestContext: { requestId: 'req-1', http: { method, sourceIp: '127.0.0.1' } },
} as unknown as HttpEvent);

function capturingStderr(): { text: () => string; restore: () => void } {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  return { text: () => written.join(''), restore: () => spy.mockRestore() };
}

describe('HTTP edge', () => {
  it('a defect that escapes the exchange is an unsigned 503 with Retry-After, never a 500, and logs the class, not the message', async () => {
    const broken = { handle: async () => { throw new TypeError('quoted input: Optik Werke GmbH'); } } as unknown as Exchange;
    const err = capturingStderr();
    const res = await actionHandler('agencies', () => broken)(post('/v1/agreements'));
    err.restore();
    expect(res).toMatchObject({ statusCode: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1', 'cache-control': 'no-store' } });
    expect(JSON.parse(String(res.body))).toMatchObject({ type: 'urn:corridor:problem:dependency-failed', status: 503 });
    expect(JSON.parse(err.text())).toEqual({ level: 'ERROR', message: 'unhandled in exchange', requestId: 'req-1', error: 'TypeError' });
  });

  it('a route of another group, or not a POST, is a plain 404 and never reaches the exchange', async () => {
    const handle = vi.fn();
    const http = actionHandler('licenses', () => ({ handle }) as unknown as Exchange);
    expect((await http(post('/v1/agreements'))).statusCode).toBe(404);
    expect((await http(post('/v1/licenses/verify', 'GET'))).statusCode).toBe(404);
    expect(handle).not.toHaveBeenCalled();
  });
});
