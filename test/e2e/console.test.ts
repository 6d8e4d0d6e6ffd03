// The auditor console in a real Chromium against `corridor serve --demo` as a real process:
// an auditor registered through the CLI loads its key file, queries, and checks a proof.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorridorClient } from '../../lambdas/client/corridor-client.ts';
import { readKeyFile } from '../../lambdas/local/key-files.ts';
import { verifyProof, type ProofAnswer } from '../../web/console/proof.ts';
import { launchChromium, pageErrors } from '../helpers/browser.ts';
import { cli, ROOT, startLocal, type LocalExchange } from '../helpers/local-process.ts';

// This test seals when it wants to (`corridor audit seal`), so the exchange's own timer must not.
process.env.CORRIDOR_SEAL_INTERVAL_MS = String(3_600_000);

const AUDITOR = 'NL-ADR';
const today = new Date().toISOString().slice(0, 10);
const SHOT = join(ROOT, 'test-artifacts', 'console.png');
let ex: LocalExchange;
let browser: Browser;
let keyPath: string;

async function ok(args: string[]): Promise<string> {
  const r = await cli(ex.home, args);
  if (r.code !== 0) throw new Error(`corridor ${args.join(' ')} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  // No stream sealer: the events stay unsealed until `audit seal` below, so a later query's own event is still unsealed.
  [ex, browser] = await Promise.all([startLocal(['--demo'], undefined, { CORRIDOR_SEAL_STREAM: 'off' }), launchChromium()]);
  keyPath = join(ex.home, 'keys', `${AUDITOR}.private.jwk.json`);
  await ok(['keygen', '--kid', 'nl-adr-1', '--out', keyPath]);
  await ok(['agency', 'register', '--id', AUDITOR, '--name', 'Algemene Rekenkamer', '--roles', 'auditor', '--audit-scope', 'all', '--key-file', keyPath]);
  const verify = (as: string, qty: number): Promise<unknown> =>
    cli(ex.home, ['license', 'verify', '--as', as, '--issuer', 'DE-BAFA', '--license', 'DE-2026-000123', '--date', today, '--destination', 'SG', '--item', `6A003.b.4=${qty}`]);
  await verify('NL-DOUANE', 5); // valid
  await verify('NL-DOUANE', 50); // invalid outcome, still allowed
  await verify('DE-BAFA', 1); // 403: licensing may not verify — a denial for the chart
  expect(await ok(['audit', 'seal'])).toMatch(/^every event is sealed: \d+ sealed now in \d+ seal\(s\)/);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await ex?.stop();
});

/** Open the console, load a key, run a query; returns the page and its error log. */
async function queried(agency = AUDITOR, key = keyPath, pageSize?: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = pageErrors(page);
  await page.goto(`${ex.file.url}/console/`);
  await page.locator('#exchange-status[data-state="ok"]').waitFor();
  await page.fill('#agency-id', agency);
  await page.setInputFiles('#key-file', key);
  await page.locator('#key-status[data-state="ok"]').waitFor();
  if (pageSize) await page.locator('#query-form').evaluate((f, n) => void ((f as unknown as { dataset: Record<string, string> }).dataset.pageSize = String(n)), pageSize);
  await page.click('#query-button');
  await page.locator('#query-status[data-state="ok"], #query-status[data-state="fail"]').waitFor();
  return { page, errors };
}

const verifyRow = (page: Page) => page.locator('tr[data-testid="event-row"]', { hasText: 'license.verify' });

describe('auditor console (Chromium)', () => {
  it('is served with a strict CSP, and only its three files', async () => {
    const page = await fetch(`${ex.file.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
    expect([page.headers.get('x-content-type-options'), page.headers.get('referrer-policy'), page.headers.get('cache-control')]).toEqual(['nosniff', 'no-referrer', 'no-cache']);
    const js = await fetch(`${ex.file.url}/console/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${ex.file.url}/console/index.ts`)).status).toBe(404);
  });

  it('queries, charts and lists the events, and verifies an inclusion proof in the browser', async () => {
    const { page, errors } = await queried(AUDITOR, keyPath, 4); // pages of 4: the cursor is followed
    const status = await page.locator('#query-status').textContent();
    const [, count, pages] = /^✓ (\d+) events \(\d+ denied\) in (\d+) pages; every answer was signed by the exchange and verified\.$/.exec(status ?? '') ?? [];
    expect(Number(count)).toBeGreaterThan(8);
    expect(Number(pages)).toBe(Math.ceil(Number(count) / 4));
    expect(await page.locator('tr[data-testid="event-row"]').count()).toBe(Number(count));
    expect(await page.locator('tr[data-testid="event-row"][data-decision="deny"]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="chart-svg"] rect.bar-calls').count()).toBeGreaterThan(1);
    await verifyRow(page).first().click();
    const proof = page.getByTestId('proof-result');
    await page.locator('#proof-result:not([data-state="pending"])').waitFor();
    expect(await proof.textContent()).toMatch(/^✓ proof verified: event in seal \d+ at leaf \d+ of \d+, sealed \S/); // the seal's sealedAt, in local time
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('says so when an event is not sealed yet', async () => {
    const { page } = await queried();
    await page.click('#query-button'); // now lists the first query's own event, which nothing has sealed
    await page.locator('#query-status[data-state="ok"]').waitFor();
    await page.locator('tr[data-testid="event-row"]', { hasText: 'audit.query' }).last().click();
    await page.locator('#proof-result[data-state="unsealed"]').waitFor();
    expect(await page.getByTestId('proof-result').textContent()).toMatch(/^… not sealed yet: .*The exchange answered 404 .*is not sealed yet/);
    await page.close();
  }, 90_000);

  it('shows the problem title and detail of a refusal (signed with an Ed25519 key in the browser)', async () => {
    const { page } = await queried('NL-DOUANE', join(ex.home, 'keys', 'NL-DOUANE.private.jwk.json'));
    expect(await page.locator('#key-status').textContent()).toContain('(EdDSA)');
    expect(await page.locator('#query-status').textContent()).toBe('✗ 403 Role may not call this action: audit.query needs one of the roles: auditor');
    expect(await page.locator('tr[data-testid="event-row"]').count()).toBe(0);
    await page.close();
  }, 90_000);

  it('shows ✗ and nothing else when a proof answer was altered on the way', async () => {
    const { page } = await queried();
    // A man in the middle changes the proven event's status; the exchange's signature no longer holds.
    await page.route('**/v1/audit/proof', async (route) => {
      const res = await route.fetch();
      const [h, p, s] = (await res.text()).split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { result: { event: { status: number } } };
      claims.result.event.status = 299;
      await route.fulfill({ response: res, body: `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}` });
    });
    await verifyRow(page).first().click();
    await page.locator('#proof-result[data-state="fail"]').waitFor();
    expect(await page.getByTestId('proof-result').textContent()).toBe('✗ answer did not verify: the signature does not verify against the exchange JWKS. Nothing from it is shown.');
    await page.close();
  }, 90_000);

  it('the proof checker of the page names what was altered: event, path, leaf index, seal (run here in Node: an altered answer never verifies in the page)', async () => {
    const c = new CorridorClient(ex.file.url, { agencyId: AUDITOR, privateJwk: readKeyFile(keyPath) });
    const { exchangeId, jwks } = await c.discover();
    const { sealKeyIds } = (await (await fetch(`${ex.file.url}/.well-known/corridor-configuration`)).json()) as { sealKeyIds: string[] };
    const d = { exchangeId, jwks, sealKeyIds };
    const q = await c.callUntyped<{ events: Record<string, unknown>[] }>('audit.query', { action: 'license.verify' });
    const shown = q.result!.events[0]!;
    const p = (await c.callUntyped<ProofAnswer>('audit.proof', { eventId: shown.id })).result!;
    expect(await verifyProof(p, shown, d)).toMatchObject({ ok: true, leafIndex: p.leafIndex, sealedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const altered = { ...p.event, status: 299 };
    expect(await verifyProof({ ...p, event: altered }, shown, d)).toEqual({ ok: false, reason: 'the proven event differs from the one listed' });
    expect(await verifyProof({ ...p, event: altered }, altered, d)).toEqual({ ok: false, reason: 'the event content does not match its hash (changed after it was written)' });
    // Seals from the stream may hold this one event alone (an empty path): then a sibling that is not there must fail.
    if (p.path.length > 0) {
      const flipped = [...p.path];
      flipped[0] = `${flipped[0]!.startsWith('A') ? 'B' : 'A'}${flipped[0]!.slice(1)}`;
      expect(await verifyProof({ ...p, path: flipped }, shown, d)).toMatchObject({ ok: false, reason: expect.stringMatching(/does not lead to seal \d+'s signed root/) });
    } else {
      expect(await verifyProof({ ...p, path: [Buffer.alloc(32).toString('base64url')] }, shown, d)).toMatchObject({ ok: false });
    }
    expect(await verifyProof({ ...p, leafIndex: p.leafIndex ^ 1 }, shown, d)).toMatchObject({ ok: false });
    const [h, body, sig] = p.seal.split('.');
    const seal = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { count: number };
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...seal, count: seal.count + 1 })).toString('base64url')}.${sig}`;
    expect(await verifyProof({ ...p, seal: forged }, shown, d)).toEqual({ ok: false, reason: 'the seal is not genuine: its signature does not verify against the exchange JWKS' });
  });
});
