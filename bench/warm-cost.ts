/**
 * Warm request cost: server CPU per `license.verify` through the whole pipeline (Exchange.handle:
 * envelope, policy, schema, action, audit, signed response) on counting in-memory adapters, ÷ the
 * crypto floor measured in the same rounds with the same library calls the handler makes: one jose
 * compactVerify with an imported key, one jose CompactSign (ES256), one AES-256-GCM decrypt of a
 * blob the size of the stored document and one SHA-256 of the request body.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { signRequest } from '../lambdas/client/signing.ts';
import { DEFAULT_AGENCY_CACHE_MS } from '../lambdas/config.ts';
import { AgencyDirectory } from '../lambdas/core/agency-directory.ts';
import { MemoryTelemetry } from '../lambdas/adapters/memory/memory-telemetry.ts';
import { Exchange, type ActionCall } from '../lambdas/core/exchange.ts';
import { publish, shipment } from '../test/helpers/licenses.ts';
import { EXCHANGE_ID, TestExchange } from '../test/helpers/memory-exchange.ts';

export interface WarmCost {
  cpuUsPerVerify: number;
  floorCpuUsPerVerify: number;
  ratio: number;
  /** Wall time per call, µs, and the same for the floor: what Lambda bills is wall time. */
  wallUsPerVerify: number;
  floorWallUsPerVerify: number;
  wallRatio: number;
  /** Wall-clock latency of each measured call, ms (in-process, no network). */
  latenciesMs: number[];
  storeCallsPerVerify: Record<string, number>;
}

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Collect garbage before each timed phase when run with --expose-gc, so one phase does not pay for the other's. */
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});

export async function warmCost(rounds = 20, perRound = 60): Promise<WarmCost> {
  const x = await TestExchange.create();
  const bafa = await x.agency('DE-BAFA', ['licensing']);
  const douane = await x.agency('NL-DOUANE', ['customs']);
  await x.call(bafa, 'agreement.put', { partner: 'NL-DOUANE', documentType: 'license', permissions: ['verify', 'read'] });
  await publish(x, bafa);
  // The deployed configuration: agency and agreement records cached for the default TTL. Telemetry
  // keeps observations in memory (the test helper's also renders each as a JSON line).
  const exchange = new Exchange({ ...x.services, telemetry: new MemoryTelemetry(), directory: new AgencyDirectory(x.store, x.clock, DEFAULT_AGENCY_CACHE_MS) });
  const body = { issuer: 'DE-BAFA', licenseId: 'DE-2026-000123', shipment: shipment({ exporter: { name: 'Optik Werke GmbH' } }) };
  const call = async (): Promise<ActionCall> => ({ act: 'license.verify', contentType: 'application/jose', body: Buffer.from((await signRequest(douane, EXCHANGE_ID, 'license.verify', body, { iat: x.nowSeconds() })).jws), sourceIp: '127.0.0.1', requestId: 'bench' });

  // Warm-up: caches filled, JIT settled; one answer gives the response payload size for the floor.
  let sample = '';
  for (let i = 0; i < 50; i++) sample = (await exchange.handle(await call())).body;
  const responsePayload = Buffer.from(sample.split('.')[1]!, 'base64url');
  const docBlob = x.store.all('documents').find((r) => r.sk === 'CUR#HEAD')!.attrs.doc as Uint8Array;
  const verifyKey = await importJWK(douane.key.publicJwk, 'ES256');
  const signing = await x.services.responseKeys.signingKey();
  const aesKey = randomBytes(32);
  const iv = randomBytes(12);
  const enc = createCipheriv('aes-256-gcm', aesKey, iv).setAAD(Buffer.from('documents/pk/sk/doc'));
  const edkLength = Buffer.from(docBlob).readUInt16BE(1); // envelope: format, edk length, edk, iv, body, tag
  const ciphertext = Buffer.concat([enc.update(randomBytes(docBlob.byteLength - 3 - edkLength - 12 - 16)), enc.final()]);
  const tag = enc.getAuthTag();

  const floorOnce = async (request: Uint8Array): Promise<void> => {
    createHash('sha256').update(request).digest();
    await compactVerify(Buffer.from(request).toString('utf8'), verifyKey, { algorithms: ['ES256'] });
    const d = createDecipheriv('aes-256-gcm', aesKey, iv);
    d.setAAD(Buffer.from('documents/pk/sk/doc'));
    d.setAuthTag(tag);
    Buffer.concat([d.update(ciphertext), d.final()]);
    await new CompactSign(responsePayload).setProtectedHeader({ alg: 'ES256', kid: signing.kid, typ: 'corridor-response+jws' }).sign(signing.key);
  };

  const handlerUs: number[] = [];
  const floorUs: number[] = [];
  const handlerWall: number[] = [];
  const floorWall: number[] = [];
  const wallUs = (): number => Number(process.hrtime.bigint()) / 1000;
  const latenciesMs: number[] = [];
  const before = { ...x.store.calls };
  let measured = 0;
  for (let r = 0; r < rounds; r++) {
    const calls = await Promise.all(Array.from({ length: perRound }, call));
    const floorInputs = await Promise.all(Array.from({ length: perRound }, async () => (await call()).body));
    gc();
    let t = cpuUs();
    let w = wallUs();
    for (const c of calls) {
      const started = process.hrtime.bigint();
      const a = await exchange.handle(c);
      latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (a.status !== 200) throw new Error(`bench verify answered ${a.status}`);
    }
    const h = (cpuUs() - t) / perRound;
    handlerWall.push((wallUs() - w) / perRound);
    gc();
    t = cpuUs();
    w = wallUs();
    for (const b of floorInputs) await floorOnce(b);
    const f = (cpuUs() - t) / perRound;
    floorWall.push((wallUs() - w) / perRound);
    handlerUs.push(h);
    floorUs.push(f);
    measured += perRound;
  }
  const storeCallsPerVerify = Object.fromEntries(Object.entries(x.store.calls).map(([k, v]) => [k, (v - before[k as keyof typeof before]) / measured]));
  // Ratio of medians over interleaved rounds: both sides see the same machine load, round by round.
  return {
    cpuUsPerVerify: median(handlerUs),
    floorCpuUsPerVerify: median(floorUs),
    ratio: median(handlerUs) / median(floorUs),
    wallUsPerVerify: median(handlerWall),
    floorWallUsPerVerify: median(floorWall),
    wallRatio: median(handlerWall) / median(floorWall),
    latenciesMs,
    storeCallsPerVerify,
  };
}
