// `npm start -- --demo` as a real process, driven through the CLI and raw HTTP; Ctrl-C stops moto too.
import { execFile } from 'node:child_process';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorridorClient } from '../../lambdas/client/corridor-client.ts';
import { shardOf, timeBucket } from '../../lambdas/core/audit.ts';
import { licenseDoc } from '../helpers/licenses.ts';
import { cli, keyFile, ROOT, startLocal, type LocalExchange } from '../helpers/local-process.ts';

let ex: LocalExchange;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  ex = await startLocal();
}, 90_000);

afterAll(async () => {
  await ex?.stop();
});

describe('local exchange (real process)', () => {
  it('writes local.json as protocol.md §8 says and prints the demo commands', () => {
    expect(ex.file).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      exchangeId: 'corridor:local',
      awsEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      region: expect.any(String),
      operator: { agencyId: 'EU-OPERATOR', kid: expect.any(String), privateJwkFile: keyFile(ex.home, 'EU-OPERATOR') },
    });
    expect(ex.output()).toContain('npx corridor license verify --as NL-DOUANE');
  });

  it('the printed verify command succeeds through `npx corridor` and the answer is verified', async () => {
    const line = ex.output().split('\n').find((l) => l.includes('license verify') && l.includes('--exporter'))!;
    const args = line.trim().replace(/^npx corridor /, '').match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
    const r = await new Promise<{ code: number; out: string }>((done) =>
      execFile('npx', ['corridor', ...args], { cwd: ROOT, env: { ...process.env, CORRIDOR_HOME: ex.home, NODE_NO_WARNINGS: '1' } }, (err, out) => done({ code: err ? 1 : 0, out })),
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('v1: VALID');
    expect(r.out).toContain('✓ response signature verified');
    expect(r.out).toContain('✓ issuer-signed license checked offline: signed by DE-BAFA with key de-bafa-1 (active)');
  });

  it('customs draws down through the CLI (resending is safe), the issuer lists it, and an end-use certificate is confirmed', async () => {
    const drawArgs = (decl: string, line: string) => ['license', 'drawdown', '--as', 'NL-DOUANE', '--issuer', 'DE-BAFA', '--license', 'DE-2026-000123', '--declaration', decl, '--date', today, '--line', line];
    const args = drawArgs('NL-E2E-1', '1=5');
    const first = await cli(ex.home, args);
    expect(first.stdout).toContain('declaration NL-E2E-1 recorded');
    expect(first.stdout).toContain('line 1: drew 5, 35 remaining');
    expect((await cli(ex.home, args)).stdout).toContain('was already recorded (nothing drawn again)');
    const over = await cli(ex.home, drawArgs('NL-E2E-2', '1=36'));
    expect(over.code).toBe(1);
    expect(over.stdout).toContain('✗ 409 Refused by current state: line 1: 36 requested but only 35 remaining; nothing was drawn');
    const list = await cli(ex.home, ['license', 'drawdowns', '--as', 'DE-BAFA', '--license', 'DE-2026-000123', '--json']);
    expect((JSON.parse(list.stdout) as { result: { drawdowns: { declarationId: string; agency: string }[] } }).result.drawdowns).toEqual([expect.objectContaining({ declarationId: 'NL-E2E-1', agency: 'NL-DOUANE' })]);
    const q = await cli(ex.home, ['euc', 'query', '--as', 'NL-DOUANE', '--issuer', 'SG-MTI', '--euc', 'SG-EUC-88121', '--end-user', 'STRAITS PHOTONICS LAB', '--item', '6A003.b.4=40']);
    expect(q.code).toBe(0);
    expect(q.stdout).toContain('SG-MTI/SG-EUC-88121 v1: VALID');
    expect(q.stdout).toContain('✓ issuer-signed certificate checked offline: signed by SG-MTI with key sg-mti-1 (active)');
    const bafaQ = await cli(ex.home, ['euc', 'query', '--as', 'DE-BAFA', '--issuer', 'SG-MTI', '--euc', 'SG-EUC-88121', '--item', '41']);
    expect(bafaQ.code).toBe(1);
    expect(bafaQ.stdout).toContain('✗ items — all items: asked 41, more than the certificate covers');
    expect(bafaQ.stdout).not.toContain('checked offline');
  });

  it('--json prints the verified result; an invalid outcome exits 1', async () => {
    const r = await cli(ex.home, ['license', 'verify', '--as', 'NL-DOUANE', '--issuer', 'DE-BAFA', '--license', 'DE-2026-000123', '--date', today, '--destination', 'SG', '--item', '6A003.b.4=50', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { status: number; result: { outcome: string; checks: { name: string; ok: boolean }[] } };
    expect(j.status).toBe(200);
    expect(j.result.outcome).toBe('invalid');
    expect(j.result.checks.find((c) => c.name === 'items')!.ok).toBe(false);
  });

  it('a full partner walk through the CLI: keygen, register, rotate keys, agreement, publish, status, verify', async () => {
    const home = ex.home;
    const k1 = join(home, 'keys', 'FR-SBDU.private.jwk.json');
    const k2 = join(home, 'keys', 'FR-SBDU-2.private.jwk.json');
    expect((await cli(home, ['keygen', '--kid', 'fr-sbdu-1', '--alg', 'EdDSA', '--out', k1])).code).toBe(0);
    const reg = await cli(home, ['agency', 'register', '--id', 'FR-SBDU', '--name', 'French export control', '--roles', 'licensing', '--key-file', k1]);
    expect(reg.stdout).toContain('key fr-sbdu-1: active');
    expect((await cli(home, ['keygen', '--kid', 'fr-sbdu-2', '--out', k2])).code).toBe(0);
    const rot = await cli(home, ['agency', 'keys', '--as', 'FR-SBDU', '--key', k1, '--add', k2]);
    expect(rot.code).toBe(0);
    const ret = await cli(home, ['agency', 'keys', '--as', 'FR-SBDU', '--key', k2, '--retire', 'fr-sbdu-1']);
    expect(ret.stdout).toContain('key fr-sbdu-1: retired');
    expect((await cli(home, ['agreement', 'put', '--as', 'FR-SBDU', '--key', k2, '--partner', 'NL-DOUANE', '--type', 'license', '--permissions', 'verify'])).stdout).toContain('grants NL-DOUANE verify');
    const docFile = join(home, 'fr-license.json');
    writeFileSync(docFile, JSON.stringify(licenseDoc({ issuer: 'FR-SBDU', licenseId: 'FR-2026-77', issuedAt: new Date().toISOString(), validFrom: today })));
    const pub = await cli(home, ['license', 'publish', '--as', 'FR-SBDU', '--key', k2, '--file', docFile]);
    expect(pub.stdout).toContain('published license FR-2026-77 version 1');
    const st = await cli(home, ['license', 'status', '--as', 'FR-SBDU', '--key', k2, '--license', 'FR-2026-77', '--status', 'suspended', '--reason', 'review']);
    expect(st.stdout).toContain('is now suspended');
    const v = await cli(home, ['license', 'verify', '--as', 'NL-DOUANE', '--issuer', 'FR-SBDU', '--license', 'FR-2026-77', '--date', today, '--destination', 'SG', '--item', '6A003.b.4=1']);
    expect(v.stdout).toContain('✗ status — license is suspended');
    expect(v.stdout).not.toContain('checked offline');
  });

  it('refusals show the problem title and detail and exit 1; usage errors exit 2', async () => {
    const r = await cli(ex.home, ['license', 'verify', '--as', 'DE-BAFA', '--issuer', 'DE-BAFA', '--license', 'DE-2026-000123', '--date', today, '--destination', 'SG', '--item', '6A003.b.4=1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ 403 Role may not call this action: license.verify needs one of the roles: customs');
    expect((await cli(ex.home, ['license', 'verify', '--as', 'NL-DOUANE'])).code).toBe(2);
    expect((await cli(ex.home, ['license', 'status', '--help'])).stdout).toContain('Example:');
  });

  it('over raw HTTP every answer is signed — unparseable input and wrong content types included', async () => {
    const client = new CorridorClient(ex.file.url);
    const garbage = await client.send('/v1/licenses/verify', 'not a jws at all');
    expect([garbage.status, garbage.problem!.type]).toEqual([400, 'urn:corridor:problem:malformed-request']);
    expect(garbage.auditId).toMatch(/^ev-/);
    const wrongType = await client.send('/v1/licenses/verify', 'x.y.z', undefined, 'application/json');
    expect(wrongType.status).toBe(415);
    const big = await client.send('/v1/licenses', Buffer.alloc(300 * 1024, 0x61));
    expect(big.status).toBe(413);
    const jwks = (await (await fetch(`${ex.file.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    const cfg = (await (await fetch(`${ex.file.url}/.well-known/corridor-configuration`)).json()) as { actions: { route: string }[]; sealKeyIds: string[] };
    const openapi = (await (await fetch(`${ex.file.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, { post?: unknown }> };
    expect(openapi.openapi).toBe('3.1.0');
    for (const a of cfg.actions) expect(openapi.paths[a.route.replace(/^POST /, '')]?.post, a.route).toBeDefined();
    expect(cfg.sealKeyIds).toHaveLength(1);
  });

  it('`corridor keys rotate` rotates the response key; both keys are published', async () => {
    const r = await cli(ex.home, ['keys', 'rotate', '--json']);
    expect(r.code).toBe(0);
    const { current, previous } = JSON.parse(r.stdout) as { current: string; previous: string };
    expect(current).not.toBe(previous);
  });

  it('an auditor seals and verifies the log through the CLI; an edited event is named', async () => {
    const home = ex.home;
    const key = join(home, 'keys', 'EU-OLAF.private.jwk.json');
    await cli(home, ['keygen', '--kid', 'eu-olaf-1', '--out', key]);
    expect((await cli(home, ['agency', 'register', '--id', 'EU-OLAF', '--name', 'European Anti-Fraud Office', '--roles', 'auditor', '--audit-scope', 'all', '--key-file', key])).code).toBe(0);
    await cli(home, ['license', 'status', '--as', 'NL-DOUANE', '--license', 'DE-2026-000123', '--status', 'revoked', '--reason', 'not mine']); // a refusal to audit
    // The stream sealer seals it within moments, with no `audit seal`: its inclusion proof verifies.
    const refused = JSON.parse((await cli(home, ['audit', 'query', '--as', 'EU-OLAF', '--action', 'license.status', '--json'])).stdout) as { result: { events: { id: string }[] } };
    const refusal = refused.result.events.at(-1)!.id;
    let proven = await cli(home, ['audit', 'verify', '--as', 'EU-OLAF', '--event', refusal]);
    for (let i = 0; i < 20 && proven.code !== 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      proven = await cli(home, ['audit', 'verify', '--as', 'EU-OLAF', '--event', refusal]);
    }
    expect(proven.stdout).toContain(`✓ event ${refusal} is at leaf`);
    // an item holding no event, put into the audit table around the exchange: sealing and auditors pass over it
    const ddb = new DynamoDBClient({ region: ex.file.region, endpoint: ex.file.awsEndpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const junk = 'ev-junk-written-around-the-exchange';
    const junkTs = new Date().toISOString();
    await ddb.send(new PutItemCommand({ TableName: ex.file.tables.audit!, Item: { pk: { S: junk }, event: { S: '{"id":' }, tsId: { S: `${junkTs}#${junk}` }, tbucket: { S: timeBucket(junkTs, shardOf(junk)) } } }));
    const sealed = await cli(home, ['audit', 'seal']);
    expect(sealed.stdout).toMatch(/^every event is sealed: \d+ sealed now in \d+ seal\(s\)/);
    expect(sealed.stderr).toContain(`warning: 1 audit item(s) hold no event and stay unsealed, first ${junk}`);
    const ok = await cli(home, ['audit', 'verify', '--as', 'EU-OLAF', '--complete']);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringMatching(/^✓ \d+ seal\(s\): signatures, chain and roots verify; \d+ event\(s\) each in exactly one seal/)]);
    const denied = await cli(home, ['audit', 'query', '--as', 'EU-OLAF', '--decision', 'deny', '--json']);
    const victim = (JSON.parse(denied.stdout) as { result: { events: { id: string }[] } }).result.events[0]!;
    const proof = await cli(home, ['audit', 'verify', '--as', 'EU-OLAF', '--event', victim.id]);
    expect(proof.stdout).toContain(`✓ event ${victim.id} is at leaf`);
    // the operator edits a sealed event behind the exchange's back
    const item = (await ddb.send(new GetItemCommand({ TableName: ex.file.tables.audit!, Key: { pk: { S: victim.id } } }))).Item!;
    const event = JSON.parse(item.event!.S!) as Record<string, unknown>;
    await ddb.send(new PutItemCommand({ TableName: ex.file.tables.audit!, Item: { ...item, event: { S: JSON.stringify({ ...event, decision: 'allow', status: 200 }) } } }));
    const bad = await cli(home, ['audit', 'verify', '--as', 'EU-OLAF', '--complete']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`✗ event ${victim.id} changed: its content no longer matches its hash`);
    await ddb.send(new PutItemCommand({ TableName: ex.file.tables.audit!, Item: item }));
    ddb.destroy();
  }, 90_000);

  it('Ctrl-C stops the server and moto_server', async () => {
    const { url, awsEndpoint } = ex.file;
    expect(await ex.stop()).toBe(0);
    await expect(fetch(`${url}/.well-known/jwks.json`)).rejects.toThrow();
    await expect(fetch(`${awsEndpoint}/moto-api/`)).rejects.toThrow();
  });

  it('a restart reuses the key files in $CORRIDOR_HOME/keys', async () => {
    const before = ex.file.operator.kid;
    const again = await startLocal([], ex.home);
    try {
      expect(again.file.operator).toEqual(ex.file.operator);
      expect(again.file.operator.kid).toBe(before);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  }, 90_000);
});
