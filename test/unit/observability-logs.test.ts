// Observability (issue 7): the real core through the Powertools adapter. One JSON line per request with
// ids, codes and numbers; never names, body fields, JWS strings or error messages, whatever the input.
import { Logger } from '@aws-lambda-powertools/logger';
import { PassThrough } from 'node:stream';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, PowertoolsTelemetry, SERVICE_NAME } from '../../lambdas/adapters/aws/powertools-telemetry.ts';
import { StreamLogger } from '../../lambdas/adapters/aws/stream-logger.ts';
import { signDocument, signRequest } from '../../lambdas/client/signing.ts';
import { DependencyError } from '../../lambdas/core/errors.ts';
import { Exchange, type ActionAnswer } from '../../lambdas/core/exchange.ts';
import { PayloadCipher } from '../../lambdas/core/payload-cipher.ts';
import { ResponseKeys } from '../../lambdas/core/response-keys.ts';
import type { ActionName } from '../../lambdas/core/routes.ts';
import { licenseDoc } from '../helpers/licenses.ts';
import { EXCHANGE_ID, TestExchange, type TestAgency } from '../helpers/memory-exchange.ts';
import { captureOutput, type Captured } from '../helpers/output-capture.ts';

/** Strings that must never reach a log line: names, descriptions, body values, error messages. */
const CANARY = {
  exporter: 'CANARY-EXPORTER Ωmega GmbH',
  consignee: 'CANARY-CONSIGNEE Ltd',
  endUser: 'CANARY-ENDUSER Lab',
  item: 'CANARY-ITEM thermal core',
  condition: 'CANARY-CONDITION no re-export',
  hostile: 'CANARY-HOSTILE"},"level":"ERROR","injected":"x',
  script: '<script>CANARY-SCRIPT</script>',
  sql: "'; DROP TABLE CANARY-SQL; --",
  message: 'CANARY-MESSAGE table corridor-documents key LICENSE#DE-BAFA',
};

let x: TestExchange;
let bafa: TestAgency;
let exchange: Exchange;
let out: Captured;
let telemetry: PowertoolsTelemetry;
/** Every JWS string that crossed the exchange in this test: requests, documents, answers. */
const jwsSeen: string[] = [];

beforeEach(async () => {
  x = await TestExchange.create();
  bafa = await x.agency('DE-BAFA', ['licensing']);
  out = captureOutput();
  // Built after capture starts: Powertools binds its console at construction.
  telemetry = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
  exchange = new Exchange({ ...x.services, telemetry });
  jwsSeen.length = 0;
});

afterEach(() => out.restore());

async function send(act: ActionName, jws: string, requestId: string): Promise<ActionAnswer> {
  jwsSeen.push(jws);
  const answer = await exchange.handle({ act, contentType: 'application/jose', body: Buffer.from(jws), sourceIp: '192.0.2.7', requestId });
  jwsSeen.push(answer.body);
  return answer;
}

async function signed(act: ActionName, body: unknown): Promise<string> {
  return (await signRequest(bafa, EXCHANGE_ID, act, body, { iat: x.nowSeconds() })).jws;
}

const requestLines = (): Record<string, unknown>[] => out.json().filter((l) => l.message === 'request');

function expectNothingLeaked(): void {
  const text = out.text();
  for (const canary of Object.values(CANARY)) expect(text).not.toContain(canary);
  for (const needle of ['CANARY', 'Optik', 'Thermal', 'Lumen', 'Straits', '192.0.2.7']) expect(text).not.toContain(needle);
  expect(text).not.toMatch(/eyJ[\w-]*\.[\w-]*\./); // no JWS (a bare `eyJ` can occur inside a random id)
  for (const segment of jwsSeen.flatMap((j) => j.split('.'))) expect(text).not.toContain(segment);
}

describe('request log lines', () => {
  it('a plain success logs nothing: the metrics count it and its audit event records it', async () => {
    const document = await signDocument(bafa.privateJwk, 'corridor-license+jws', licenseDoc());
    const a = await send('license.publish', await signed('license.publish', { document }), 'req-plain');
    expect(a.status).toBe(201);
    // no log line of any level (metric documents carry no `level`)
    expect(out.json().filter((l) => 'level' in l)).toEqual([]);
  });

  it('a slow accepted publish carrying canary names: one line with ids, codes and duration, no content', async () => {
    // Every request counts as slow at threshold 0 (the test's clock stands still, so durationMs is 0).
    telemetry = new PowertoolsTelemetry(new Logger({ serviceName: SERVICE_NAME }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }), undefined, 'decision', 0);
    exchange = new Exchange({ ...x.services, telemetry });
    const doc = licenseDoc({
      exporter: { name: CANARY.exporter, country: 'DE' }, consignee: { name: CANARY.consignee, country: 'SG' }, endUser: { name: CANARY.endUser, country: 'SG' },
      items: [{ line: 1, description: CANARY.item, controlCode: '6A003.b.4', quantity: 40, unit: 'pcs' }], conditions: [CANARY.condition],
    });
    const document = await signDocument(bafa.privateJwk, 'corridor-license+jws', doc);
    jwsSeen.push(document);
    const a = await send('license.publish', await signed('license.publish', { document }), 'req-publish-1');
    expect(a.status).toBe(201);
    // The test's clock stands still, so durationMs is exactly 0: the core measures on its Clock port.
    expect(requestLines()).toEqual([{
      level: 'INFO', message: 'request', timestamp: expect.any(String), service: 'corridor', sampling_rate: 0,
      requestId: 'req-publish-1', auditId: a.auditId, actor: 'DE-BAFA', action: 'license.publish', status: 201, decision: 'allow', durationMs: 0,
    }]);
    expectNothingLeaked();
  });

  it('a bad signature: 401 with the problem code, no actor (the claimed issuer is unverified input)', async () => {
    const jws = await signed('agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify'] });
    const [h, p, s] = jws.split('.');
    const forged = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    const a = await send('agreement.put', forged, 'req-badsig');
    expect(a.status).toBe(401);
    const [line] = requestLines();
    expect(line).toMatchObject({ requestId: 'req-badsig', auditId: a.auditId, action: 'agreement.put', status: 401, decision: 'deny', code: 'ERR_SIGNATURE_INVALID' });
    expect(line).not.toHaveProperty('actor');
    expect(out.text()).not.toContain('DE-BAFA');
    expectNothingLeaked();
  });

  it('a body with hostile strings: 400 ERR_BODY_INVALID, none of its values in the output, one parseable line', async () => {
    const body = { licenseId: CANARY.script, status: CANARY.hostile, reason: CANARY.sql, [CANARY.exporter]: CANARY.item };
    const a = await send('license.status', await signed('license.status', body), 'req-hostile');
    expect(a.status).toBe(400);
    expect(requestLines()).toEqual([expect.objectContaining({ requestId: 'req-hostile', actor: 'DE-BAFA', action: 'license.status', status: 400, decision: 'deny', code: 'ERR_BODY_INVALID' })]);
    // Injection attempts cannot forge a second line or a level: every line is one JSON object.
    expect(out.json().filter((l) => l.level === 'ERROR')).toEqual([]);
    expectNothingLeaked();
  });

  it('a dependency failure: 503, and an error line naming the dependency and the error class, not the message', async () => {
    x.store.failWith = new DependencyError('dynamodb', Object.assign(new Error(CANARY.message), { name: 'ProvisionedThroughputExceededException' }));
    const a = await send('license.status', await signed('license.status', { licenseId: 'DE-2026-000123', status: 'suspended', reason: CANARY.condition }), 'req-503');
    x.store.failWith = null;
    expect(a.status).toBe(503);
    const errors = out.json().filter((l) => l.level === 'ERROR');
    expect(errors.map((l) => l.message)).toContain('dependency failed');
    for (const e of errors) expect(e).toMatchObject({ requestId: 'req-503', dependency: 'dynamodb', errorClass: 'ProvisionedThroughputExceededException' });
    // the refusal's own audit write failed as well (same store): counted as an audit write failure
    expect(errors.map((l) => l.message)).toContain('audit write failed');
    expect(requestLines()).toEqual([expect.objectContaining({ requestId: 'req-503', status: 503, decision: 'deny', code: 'ERR_AUDIT_FAILED' })]);
    expectNothingLeaked();
  });

  it('no response key (KMS down): the unsigned 503 has its request line and audit id; with the store down too, an audit write failure', async () => {
    x.dataKeys.failWith = new DependencyError('kms', Object.assign(new Error(CANARY.message), { name: 'KMSInternalException' }));
    const coldKeys = new ResponseKeys(x.store, new PayloadCipher(x.dataKeys, x.clock), x.clock, EXCHANGE_ID);
    exchange = new Exchange({ ...x.services, telemetry, responseKeys: coldKeys });
    const a = await send('license.status', await signed('license.status', { licenseId: 'DE-2026-000123', status: 'revoked', reason: CANARY.condition }), 'req-nokey');
    expect([a.status, a.contentType]).toEqual([503, 'application/problem+json']);
    const [line] = requestLines();
    expect(line).toMatchObject({ requestId: 'req-nokey', status: 503, decision: 'deny', code: 'ERR_DEPENDENCY_FAILED', auditId: x.auditEvents().at(-1)!.id });
    expect(out.json().filter((l) => l.level === 'ERROR')).toEqual([expect.objectContaining({ message: 'dependency failed', dependency: 'kms', errorClass: 'KMSInternalException' })]);
    x.store.failWith = new Error('ServiceUnavailable');
    await send('license.status', await signed('license.status', { licenseId: 'DE-2026-000123', status: 'revoked', reason: CANARY.condition }), 'req-nokey-nostore');
    x.store.failWith = null;
    // the caller's agency could not be read, then no key, then the unsigned answer's event could not be written
    expect(out.json().filter((l) => l.requestId === 'req-nokey-nostore').map((l) => l.message)).toEqual(['dependency failed', 'dependency failed', 'audit write failed', 'request']);
    expect(requestLines().at(-1)).not.toHaveProperty('auditId');
    expectNothingLeaked();
  });
});

describe('StreamLogger (the handlers\' Logger)', () => {
  it('writes Powertools lines to stdout/stderr as in Lambda, or every line to the stream it is given (`serve --json`)', () => {
    const logger = new StreamLogger({ serviceName: SERVICE_NAME });
    logger.info('request', { requestId: 'r1' });
    const sink = new PassThrough();
    const chunks: string[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
    logger.writeTo(sink);
    logger.info('request', { requestId: 'r2' });
    logger.error('dependency failed', { requestId: 'r2', dependency: 'kms', errorClass: 'KMSInternalException' });
    expect(out.json()).toEqual([expect.objectContaining({ level: 'INFO', message: 'request', service: 'corridor', requestId: 'r1' })]);
    expect(chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'request', service: 'corridor', requestId: 'r2' }),
      expect.objectContaining({ level: 'ERROR', message: 'dependency failed', dependency: 'kms', errorClass: 'KMSInternalException' }),
    ]);
  });
});
