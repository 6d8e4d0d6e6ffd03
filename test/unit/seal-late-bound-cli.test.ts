// Issue 17 item 3 through the CLI: `corridor audit verify --complete` against an exchange over loopback HTTP
// (real clock). An event written straight into the audit table with a ts a day old — within the CLI's 30-day
// window, so it is fetched — used to verify as ok; now the stream sealer counts it in its seal (its write came a day
// after its ts) and the run exits 1 naming that seal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli/main.ts';
import { EXIT } from '../../bin/cli/output.ts';
import { auditWrite, refusalEventId, sealableEvent } from '../../lambdas/core/audit.ts';
import { sealStreamBatch } from '../../lambdas/core/stream-sealer.ts';
import { LATE_BOUND_SECONDS } from '../../lambdas/core/seals.ts';
import { isoNow } from '../../lambdas/core/services.ts';
import { sealNow } from '../helpers/audit.ts';
import { startHttpExchange, type HttpExchange } from '../helpers/http-exchange.ts';

let ex: HttpExchange;
let args: string[];

async function cli(...argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(argv), stdout };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corridor-late-bound-'));
  process.env.CORRIDOR_HOME = dir;
  process.env.CORRIDOR_RETRIES = '1';
  ex = await startHttpExchange();
  const olaf = await ex.x.agency('EU-OLAF', ['auditor'], 'ES256', { auditScope: 'all' });
  const keyFile = join(dir, 'olaf.jwk.json');
  writeFileSync(keyFile, JSON.stringify(olaf.privateJwk));
  args = ['--url', ex.url, '--as', 'EU-OLAF', '--key', keyFile];
  await sealNow(ex.x);
});

afterAll(async () => {
  await ex?.close();
});

describe('corridor audit verify and a backdated event', () => {
  it('a clean log exits 0; after an event a day old is written into the table and sealed, exit 1 naming it', async () => {
    expect((await cli('audit', 'verify', ...args, '--complete')).code).toBe(EXIT.ok);
    const e = sealableEvent({ id: refusalEventId(), ts: isoNow(Date.now() - 86_400_000), exchangeId: ex.x.services.exchangeId, actor: 'NL-DOUANE', action: 'license.drawdown', decision: 'allow', status: 201, rqd: 'rqd', rsd: 'rsd', sourceIp: '10.0.0.1', requestId: 'r-backdated' });
    await ex.x.store.commit([auditWrite(e)]);
    const [seal] = await sealStreamBatch(ex.x.services, ex.x.services.sealSigner, [{ event: e, seq: '1', writtenAt: Date.now() }]);
    expect(seal).toMatchObject({ lateBeyondBound: 1 });

    const r = await cli('audit', 'verify', ...args, '--complete');
    expect(r.code).toBe(EXIT.refused);
    expect(r.stdout.trim().split('\n')).toEqual([`✗ seal ${seal!.seq}: the sealer found 1 event(s) written more than ${LATE_BOUND_SECONDS} s after their ts (lateBeyondBound)`]);
  });
});
