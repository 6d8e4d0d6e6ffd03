// Origin verification (corridor:edge=cloudfront-waf): without CloudFront's secret header a request is refused 403 before
// the exchange sees it; the secret is read from Secrets Manager (AWSCURRENT + AWSPREVIOUS), cached 5 minutes, compared
// in constant time; Secrets Manager down is 503; an admitted request's client address is CloudFront-Viewer-Address.
import { GetSecretValueCommand, InternalServiceError, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SecretsManagerOriginSecrets } from '../../lambdas/adapters/aws/secrets-manager-origin-secrets.ts';
import type { ActionCall, Exchange } from '../../lambdas/core/exchange.ts';
import type { FailureObservation } from '../../lambdas/core/ports.ts';
import { actionHandler, behindFrontDoor, type HttpEvent, type HttpResult } from '../../lambdas/handlers/http-edge.ts';
import { ORIGIN_SECRET_TTL_MS, OriginVerifier, viewerAddress } from '../../lambdas/handlers/origin-verify.ts';
import { ORIGIN_VERIFY_ENV, ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../../lambdas/edge-names.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111122223333:secret:OriginVerify-AbCdEf';
const CURRENT = 'current-0123456789abcdef0123456789abcdef0123456789ab';
const PREVIOUS = 'previous-0123456789abcdef0123456789abcdef01234567';
const CLOUDFRONT_IP = '130.176.1.10';
const FORBIDDEN = { statusCode: 403, headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' }, body: '{"type":"about:blank","title":"Forbidden","status":403}' };

const sm = mockClient(SecretsManagerClient);
let time: number;
let calls: ActionCall[];
let log: { refused: { requestId: string; sourceIp: string }[]; failed: FailureObservation[] };
let handler: (event: HttpEvent) => Promise<HttpResult>;

/** The licenses handler's edge in cloudfront-waf mode, on an exchange that only records what reaches it. */
function edge(): (event: HttpEvent) => Promise<HttpResult> {
  const exchange = { handle: async (call: ActionCall) => (calls.push(call), { status: 200, contentType: 'application/jose' as const, body: 'signed' }) } as unknown as Exchange;
  const verifier = new OriginVerifier(new SecretsManagerOriginSecrets(new SecretsManagerClient({ region: 'eu-central-1' }), SECRET_ARN), { now: () => time }, {
    refused: (o) => log.refused.push(o),
    dependencyFailed: (o) => log.failed.push(o),
  });
  return behindFrontDoor(verifier, actionHandler('licenses', () => exchange));
}

function post(headers: Record<string, string>, sourceIp = CLOUDFRONT_IP): HttpEvent {
  return {
    version: '2.0', routeKey: 'POST /v1/licenses/verify', rawPath: '/v1/licenses/verify', rawQueryString: '', isBase64Encoded: false,
    headers: { 'content-type': 'application/jose', ...headers }, body: 'a.b.c',
    requestContext: { requestId: 'apigw-1', http: { method: 'POST', path: '/v1/licenses/verify', sourceIp } },
  } as unknown as HttpEvent;
}

const stages = () => sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.VersionStage).sort();

beforeEach(() => {
  sm.reset();
  sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: CURRENT });
  sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' }).rejects(new ResourceNotFoundException({ message: 'no AWSPREVIOUS', $metadata: {} }));
  time = Date.parse('2026-11-22T10:00:00Z');
  calls = [];
  log = { refused: [], failed: [] };
  handler = edge();
});

describe('origin verification', () => {
  it('no header: 403 unsigned problem, the exchange never called, the secret not even read; logged with request id and source IP only', async () => {
    expect(await handler(post({}, '203.0.113.7'))).toEqual(FORBIDDEN);
    expect(calls).toEqual([]);
    expect(sm.calls()).toHaveLength(0);
    expect(log.refused).toEqual([{ requestId: 'apigw-1', sourceIp: '203.0.113.7' }]);
  });

  it('a wrong header (of the same length too, or with the value as prefix) is refused 403', async () => {
    for (const wrong of ['guess', CURRENT.replace(/.$/, 'X'), `${CURRENT}0`, CURRENT.toUpperCase()]) {
      expect(await handler(post({ [ORIGIN_VERIFY_HEADER]: wrong }))).toEqual(FORBIDDEN);
    }
    expect(calls).toEqual([]);
    expect(log.refused).toHaveLength(4);
  });

  it('AWSCURRENT matches: passed to the exchange with the client address of CloudFront-Viewer-Address (IPv4)', async () => {
    const r = await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT, [VIEWER_ADDRESS_HEADER]: '198.51.100.23:50312' }));
    expect(r).toMatchObject({ statusCode: 200, body: 'signed' });
    expect(calls).toMatchObject([{ act: 'license.verify', sourceIp: '198.51.100.23', requestId: 'apigw-1' }]);
    expect(stages()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    expect(log).toEqual({ refused: [], failed: [] });
  });

  it('IPv6 viewer addresses are split at the last colon', async () => {
    await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT, [VIEWER_ADDRESS_HEADER]: '2001:db8:85a3::8a2e:370:7334:46532' }));
    await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT, [VIEWER_ADDRESS_HEADER]: '2001:db8::1:443' }));
    expect(calls.map((c) => c.sourceIp)).toEqual(['2001:db8:85a3::8a2e:370:7334', '2001:db8::1']);
  });

  it('a missing or malformed viewer address leaves the connecting address', async () => {
    for (const v of [undefined, 'not-an-ip:443', '198.51.100.23', '2001:db8::1', ':443']) {
      await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT, ...(v === undefined ? {} : { [VIEWER_ADDRESS_HEADER]: v }) }));
    }
    expect(calls.map((c) => c.sourceIp)).toEqual(Array(5).fill(CLOUDFRONT_IP));
    expect(viewerAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
  });

  it('without the secret header a viewer address is not believed: 403 all the same', async () => {
    expect(await handler(post({ [VIEWER_ADDRESS_HEADER]: '198.51.100.23:1' }))).toEqual(FORBIDDEN);
  });

  it('AWSPREVIOUS matches during a rotation: both values are accepted', async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: PREVIOUS });
    expect((await handler(post({ [ORIGIN_VERIFY_HEADER]: PREVIOUS }))).statusCode).toBe(200);
    expect((await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }))).statusCode).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('Secrets Manager failing: 503 unsigned problem (fail closed), logged as a dependency failure, the exchange not called', async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' }).rejects(new InternalServiceError({ message: 'try later', $metadata: {} }));
    expect(await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }))).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', 'retry-after': '1' },
      body: '{"type":"about:blank","title":"Service Unavailable","status":503}',
    });
    expect(calls).toEqual([]);
    expect(log.failed).toEqual([{ requestId: 'apigw-1', dependency: 'secretsmanager', errorClass: 'InternalServiceError' }]);
  });

  it('AWSPREVIOUS failing otherwise than "not found" fails closed too; a failure is not cached', async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' })
      .rejectsOnce(new Error('network'))
      .rejects(new ResourceNotFoundException({ message: 'no AWSPREVIOUS', $metadata: {} }));
    expect((await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }))).statusCode).toBe(503);
    expect((await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }))).statusCode).toBe(200);
  });

  it('caches the values for 5 minutes: the next requests make no call; after that they are read again', async () => {
    await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }));
    expect(sm.calls()).toHaveLength(2);
    time += ORIGIN_SECRET_TTL_MS - 1;
    await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }));
    await handler(post({ [ORIGIN_VERIFY_HEADER]: 'wrong' }));
    expect(sm.calls()).toHaveLength(2);
    // rotated meanwhile: the new value is accepted once the cache has expired, the old one as AWSPREVIOUS
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'rotated-value' });
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: CURRENT });
    expect((await handler(post({ [ORIGIN_VERIFY_HEADER]: 'rotated-value' }))).statusCode).toBe(403);
    time += 1;
    expect((await handler(post({ [ORIGIN_VERIFY_HEADER]: 'rotated-value' }))).statusCode).toBe(200);
    expect((await handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }))).statusCode).toBe(200);
    expect(sm.calls()).toHaveLength(4);
  });

  it('concurrent requests of a cold process share one read', async () => {
    await Promise.all([1, 2, 3].map(() => handler(post({ [ORIGIN_VERIFY_HEADER]: CURRENT }))));
    expect(sm.calls()).toHaveLength(2);
    expect(calls).toHaveLength(3);
  });
});

describe('origin verification as deployed (front-door.ts)', () => {
  const tables = { CORRIDOR_REGISTRY_TABLE: 'reg', CORRIDOR_DOCUMENTS_TABLE: 'docs', CORRIDOR_AUDIT_TABLE: 'audit', CORRIDOR_NOTIFICATIONS_TABLE: 'notifications', CORRIDOR_PAYLOAD_KEY_ID: 'k', CORRIDOR_SEAL_KEY_ID: 's', AWS_REGION: 'eu-central-1' };
  beforeEach(() => {
    vi.resetModules();
    for (const [k, v] of Object.entries(tables)) vi.stubEnv(k, v);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('without CORRIDOR_ORIGIN_VERIFY_SECRET_ARN there is no check: the handler is unchanged and Secrets Manager never called', async () => {
    vi.stubEnv(ORIGIN_VERIFY_ENV, '');
    const { runtimeOriginCheck } = await import('../../lambdas/handlers/front-door.ts');
    expect(runtimeOriginCheck()).toBeUndefined();
    const inner = async (): Promise<HttpResult> => ({ statusCode: 200 });
    expect(behindFrontDoor(runtimeOriginCheck(), inner)).toBe(inner);
    expect(sm.calls()).toHaveLength(0);
  });

  it('with it, one check per process that reads the named secret on first use', async () => {
    vi.stubEnv(ORIGIN_VERIFY_ENV, SECRET_ARN);
    const { runtimeOriginCheck } = await import('../../lambdas/handlers/front-door.ts');
    const check = runtimeOriginCheck()!;
    expect(runtimeOriginCheck()).toBe(check);
    expect(sm.calls()).toHaveLength(0);
    expect(await check.admit(post({ [ORIGIN_VERIFY_HEADER]: CURRENT, [VIEWER_ADDRESS_HEADER]: '198.51.100.23:1' }))).toEqual({ ok: true, sourceIp: '198.51.100.23' });
    expect(stages()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
    expect(await check.admit(post({}))).toMatchObject({ ok: false, result: { statusCode: 403 } });
  });
});
