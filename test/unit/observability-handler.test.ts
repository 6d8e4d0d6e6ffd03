// Observability (issue 7) as deployed: the licenses handler bundled with the CDK's own esbuild options, in each
// corridor:tracing mode (issue 16), run in a Lambda-like process with an X-Ray trace header, DynamoDB unreachable, and
// a loopback UDP socket standing in for the X-Ray daemon. Logs carry the Lambda context and trace id in both modes;
// with `sdk` the handler's subsegment carries its annotations and SDK calls are traced; with `function` (the default)
// the process sends nothing to the daemon: Lambda's active tracing records the invocation.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { esbuildOptions } from '../../lib/constructs/bundle-options.ts';
import { handlerEntry } from '../../lib/constructs/handler-function.ts';

const CANARY = 'CANARY-BODY-Straits';
const TRACE_ROOT = '1-5759e988-bd862e3fe1be46a994272793';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'corridor-obs-'));
  for (const tracing of ['sdk', 'function'] as const) {
    await build({ ...esbuildOptions(handlerEntry('licenses'), join(dir, `${tracing}.mjs`), { tracing, edge: 'http-api' }, 'licenses'), logLevel: 'silent' });
  }
  const event = {
    version: '2.0', rawPath: '/v1/licenses/verify', headers: { 'content-type': 'application/jose' }, isBase64Encoded: false,
    requestContext: { requestId: 'apigw-req-1', http: { method: 'POST', sourceIp: '198.51.100.9' } },
    body: `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ name: CANARY })).toString('base64url')}.`,
  };
  const context = { functionName: 'corridor-licenses', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-central-1:111122223333:function:corridor-licenses', memoryLimitInMB: '512', awsRequestId: 'lambda-req-1' };
  writeFileSync(join(dir, 'invoke.mjs'), `const { handler } = await import('./' + process.argv[2] + '.mjs');
const r = await handler(${JSON.stringify(event)}, { ...${JSON.stringify(context)}, getRemainingTimeInMillis: () => 10000 });
await new Promise((done) => setTimeout(done, 200)); // let the X-Ray SDK's UDP sends leave
process.stderr.write('RESULT ' + r.statusCode + '\\n');`);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A loopback TCP port nothing listens on: DynamoDB and KMS calls fail fast with ECONNREFUSED. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** One invocation of the bundle built for `tracing`: its output lines and every segment the X-Ray daemon received. */
async function invoke(tracing: 'sdk' | 'function') {
  const daemon = createSocket('udp4');
  const segments: Record<string, unknown>[] = [];
  // Each datagram is a header line and one JSON (sub)segment: the X-Ray daemon protocol.
  daemon.on('message', (m) => segments.push(JSON.parse(m.toString('utf8').split('\n')[1]!) as Record<string, unknown>));
  await new Promise<void>((done) => daemon.bind(0, '127.0.0.1', done));
  const env = {
    PATH: process.env.PATH, LAMBDA_TASK_ROOT: dir, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_LAMBDA_FUNCTION_NAME: 'corridor-licenses',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`, AWS_REGION: 'eu-central-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y',
    CORRIDOR_AWS_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, CORRIDOR_REGISTRY_TABLE: 'reg', CORRIDOR_DOCUMENTS_TABLE: 'docs',
    CORRIDOR_AUDIT_TABLE: 'audit', CORRIDOR_NOTIFICATIONS_TABLE: 'notifications', CORRIDOR_PAYLOAD_KEY_ID: 'k', CORRIDOR_SEAL_KEY_ID: 's', NODE_NO_WARNINGS: '1',
    // what CDK sets beside the define; the bundle's mode is the defined one whatever this says
    CORRIDOR_TRACING: tracing,
  };
  const child = spawn(process.execPath, [join(dir, 'invoke.mjs'), tracing], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  daemon.close();
  expect(code).toBe(0);
  // Powertools writes ERROR lines to stderr, the rest to stdout; CloudWatch takes both. Nothing else is printed.
  const output = `${stdout}${stderr}`.trim().split('\n');
  expect(output.filter((l) => l.startsWith('RESULT'))).toEqual(['RESULT 503']);
  const lines = output.filter((l) => !l.startsWith('RESULT')).map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const text of [stdout, stderr, JSON.stringify(segments)]) {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain('198.51.100.9');
  }
  return { lines, segments };
}

/** What both modes log: the Lambda context and trace id on the JSON lines, and the EMF document of the failed audit write. */
function expectLogsAndMetrics(lines: Record<string, unknown>[]): void {
  const lambda = { function_name: 'corridor-licenses', function_request_id: 'lambda-req-1', cold_start: true, xray_trace_id: TRACE_ROOT, service: 'corridor' };
  expect(lines.find((l) => l.message === 'request')).toMatchObject({ ...lambda, requestId: 'apigw-req-1', action: 'license.verify', status: 503, decision: 'deny', code: 'ERR_DEPENDENCY_FAILED' });
  expect(lines.find((l) => l.message === 'dependency failed')).toMatchObject({ ...lambda, level: 'ERROR', dependency: 'dynamodb' });
  // No request metrics from an API function: the audit stream's consumer publishes them per batch (this 503 wrote no event).
  expect(lines.filter((l) => '_aws' in l && ('Requests' in l || 'LatencyMs' in l))).toEqual([]);
  // the unsigned 503's own audit event could not be written either
  expect(lines.find((l) => '_aws' in l && 'AuditWriteFailures' in l)).toMatchObject({ service: 'corridor', AuditWriteFailures: 1 });
}

it('tracing=sdk: Lambda context on the JSON lines, EMF, the handler subsegment annotated, each SDK call a subsegment', async () => {
  const { lines, segments } = await invoke('sdk');
  expectLogsAndMetrics(lines);
  const handler = segments.find((s) => s.name === '## corridor-licenses');
  expect(handler).toMatchObject({ trace_id: TRACE_ROOT, annotations: { ColdStart: true, Service: 'corridor', action: 'license.verify', decision: 'deny', status: 503, code: 'ERR_DEPENDENCY_FAILED' } });
  const calls = segments.filter((s) => s.name === 'DynamoDB').map((s) => s.aws as Record<string, unknown>);
  expect(calls.map((c) => c.operation)).toContain('GetItem');
  expect(calls.every((c) => typeof c.table_name === 'string')).toBe(true);
});

it('tracing=function (default): the same log lines and EMF, and nothing sent to the X-Ray daemon', async () => {
  const { lines, segments } = await invoke('function');
  expectLogsAndMetrics(lines);
  expect(segments).toEqual([]);
});
