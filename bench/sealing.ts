/**
 * Sealing throughput against moto: N events written straight to the audit table, then
 * sealed; prints events/s and KMS Sign calls. Run: npx tsx bench/sealing.ts [N]
 */
import { KmsSealSigner } from '../lambdas/adapters/aws/kms-seal-signer.ts';
import { auditWrite, sealableEvent } from '../lambdas/core/audit.ts';
import { sealAll } from '../lambdas/core/sealer.ts';
import { MotoExchange } from '../test/helpers/moto-exchange.ts';

const n = Number(process.argv[2] ?? 2000);
const x = await MotoExchange.start();
try {
  const base = Date.parse('2026-11-22T10:00:00Z');
  for (let i = 0; i < n; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, k) => {
      const j = i + k;
      const e = sealableEvent({ id: `ev-${String(j).padStart(43, '0')}`, ts: new Date(base + j).toISOString(), exchangeId: 'corridor:test', actor: 'NL-DOUANE', action: 'license.verify', decision: 'allow', status: 200, rqd: 'r', rsd: 's', sourceIp: '127.0.0.1', requestId: `r${j}` });
      return x.services.store.commit([auditWrite(e)]);
    }));
  }
  const signer = x.services.sealSigner as KmsSealSigner;
  const before = signer.signs;
  const started = process.hrtime.bigint();
  const seals = await sealAll(x.services, signer);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const sealed = seals.reduce((s, r) => s + r.count, 0);
  console.log(JSON.stringify({ events: sealed, seals: seals.length, kmsSigns: signer.signs - before, ms: Math.round(ms), eventsPerSecond: Math.round((sealed / ms) * 1000) }));
} finally {
  await x.stop();
}
