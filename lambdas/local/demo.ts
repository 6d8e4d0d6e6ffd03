/**
 * `npm start -- --demo`: a licensing authority (DE-BAFA), a customs agency (NL-DOUANE) and an
 * end-use certificate issuer (SG-MTI) registered through the real signed API, agreements,
 * one signed end-use certificate and the license that references it — so the
 * printed CLI commands work at once, with this $CORRIDOR_HOME. Key files are reused across restarts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CorridorClient } from '../client/corridor-client.ts';
import { signDocument } from '../client/signing.ts';
import { denialHints, seedDenialDemo } from './demo-denials.ts';
import { END_USE_DEMO, seedEndUseDemo } from './demo-end-use.ts';
import { homeExport, shellPath } from './hints.ts';
import { keyFilePath, type LocalFile } from './local-file.ts';
import { loadOrCreateKey, publicJwk, readKeyFile } from './key-files.ts';

export const DEMO = { licensing: 'DE-BAFA', customs: 'NL-DOUANE', eucIssuer: 'SG-MTI', licenseId: 'DE-2026-000123', eucId: 'SG-EUC-88121' } as const;

export function demoLicense(now: Date): Record<string, unknown> {
  const day = (d: Date): string => d.toISOString().slice(0, 10);
  const until = new Date(now);
  until.setUTCFullYear(until.getUTCFullYear() + 1);
  return {
    licenseId: DEMO.licenseId,
    issuer: DEMO.licensing,
    version: 1,
    issuedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    validFrom: day(now),
    validUntil: day(until),
    exporter: { name: 'Optik Werke GmbH', country: 'DE' },
    consignee: { name: 'Lumen Trading Pte Ltd', country: 'SG' },
    endUser: { name: 'Straits Photonics Lab', country: 'SG' },
    destinationCountry: 'SG',
    items: [{ line: 1, description: 'Thermal imaging camera', controlCode: '6A003.b.4', hsCode: '852580', quantity: 40, unit: 'pcs', value: 120000, currency: 'EUR' }],
    conditions: ['No re-export without prior consent'],
    eucRef: { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' },
  };
}

export function demoEuc(now: Date): Record<string, unknown> {
  const until = new Date(now);
  until.setUTCFullYear(until.getUTCFullYear() + 1);
  return {
    eucId: DEMO.eucId,
    issuer: DEMO.eucIssuer,
    version: 1,
    issuedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    validUntil: until.toISOString().slice(0, 10),
    endUser: { name: 'Straits Photonics Lab', country: 'SG', address: '1 Fusionopolis Way, Singapore' },
    importer: { name: 'Lumen Trading Pte Ltd', country: 'SG' },
    exporterCountry: 'DE',
    items: [{ description: 'Thermal imaging camera', controlCode: '6A003.b.4', hsCode: '852580', quantity: 40, unit: 'pcs' }],
    endUse: 'Infrared sensing research; no military or WMD end use',
    assurances: { noReexportWithoutConsent: true, noWmdUse: true, onSiteVerificationAllowed: true },
  };
}

async function expectOk(what: string, p: Promise<{ status: number; problem?: { title: string; detail: string } }>): Promise<void> {
  const a = await p;
  if (a.status >= 300) throw new Error(`demo: ${what} answered ${a.status} ${a.problem?.title}: ${a.problem?.detail}`);
}

export async function seedDemo(home: string, local: LocalFile): Promise<string[]> {
  const operator = new CorridorClient(local.url, { agencyId: local.operator.agencyId, privateJwk: readKeyFile(local.operator.privateJwkFile) });
  const bafaJwk = await loadOrCreateKey(keyFilePath(home, DEMO.licensing), 'ES256', 'de-bafa-1');
  const douaneJwk = await loadOrCreateKey(keyFilePath(home, DEMO.customs), 'EdDSA', 'nl-douane-1');
  const mtiJwk = await loadOrCreateKey(keyFilePath(home, DEMO.eucIssuer), 'ES256', 'sg-mti-1');
  await expectOk('register DE-BAFA', operator.callUntyped('agency.register', { agencyId: DEMO.licensing, name: 'Federal Office for Economic Affairs and Export Control', roles: ['licensing'], keys: [{ kid: bafaJwk.kid, jwk: publicJwk(bafaJwk) }] }));
  await expectOk('register NL-DOUANE', operator.callUntyped('agency.register', { agencyId: DEMO.customs, name: 'Douane Nederland', roles: ['customs'], keys: [{ kid: douaneJwk.kid, jwk: publicJwk(douaneJwk) }] }));
  await expectOk('register SG-MTI', operator.callUntyped('agency.register', { agencyId: DEMO.eucIssuer, name: 'Ministry of Trade and Industry', roles: ['euc-issuer'], keys: [{ kid: mtiJwk.kid, jwk: publicJwk(mtiJwk) }] }));
  const bafa = new CorridorClient(local.url, { agencyId: DEMO.licensing, privateJwk: bafaJwk });
  const mti = new CorridorClient(local.url, { agencyId: DEMO.eucIssuer, privateJwk: mtiJwk });
  await expectOk('agreement', bafa.call('agreement.put', { partner: DEMO.customs, documentType: 'license', permissions: ['verify', 'read', 'drawdown'] }));
  await expectOk('agreement', mti.call('agreement.put', { partner: DEMO.customs, documentType: 'euc', permissions: ['read'] }));
  await expectOk('agreement', mti.call('agreement.put', { partner: DEMO.licensing, documentType: 'euc', permissions: ['verify'] }));
  mkdirSync(join(home, 'demo'), { recursive: true });
  const euc = demoEuc(new Date());
  writeFileSync(join(home, 'demo', `${DEMO.eucId}.json`), `${JSON.stringify(euc, null, 2)}\n`);
  await expectOk('euc.publish', mti.call('euc.publish', { document: await signDocument(mtiJwk, 'corridor-euc+jws', euc) }));
  const license = demoLicense(new Date());
  const licenseFile = join(home, 'demo', `${DEMO.licenseId}.json`);
  writeFileSync(licenseFile, `${JSON.stringify(license, null, 2)}\n`);
  await expectOk('license.publish', bafa.call('license.publish', { document: await signDocument(bafaJwk, 'corridor-license+jws', license) }));
  await seedEndUseDemo(home, local, { licensing: DEMO.licensing, customs: DEMO.customs, eucIssuer: DEMO.eucIssuer, bafaJwk, douaneJwk, mtiJwk }, expectOk, demoLicense);
  const consultationId = await seedDenialDemo(home, local, { licensing: DEMO.licensing, customs: DEMO.customs, bafaJwk, douaneJwk }, expectOk);
  const hints = demoHints(home, new Date().toISOString().slice(0, 10));
  // the denials' commands go before the closing note on files
  hints.splice(hints.length - 1, 0, ...denialHints(DEMO, consultationId));
  return hints;
}

/** The CLI commands that use the demo data, for this home (hints.ts): they run as printed in another terminal. */
export function demoHints(home: string, today: string, cwd = process.cwd()): string[] {
  return [
    ...homeExport(home, cwd),
    `npx corridor license verify --as ${DEMO.customs} --issuer ${DEMO.licensing} --license ${DEMO.licenseId} --date ${today} --destination SG --item 6A003.b.4=5 --exporter "Optik Werke GmbH"`,
    `npx corridor license verify --as ${DEMO.customs} --issuer ${DEMO.licensing} --license ${DEMO.licenseId} --date ${today} --destination SG --item 6A003.b.4=50 --json`,
    `npx corridor license drawdown --as ${DEMO.customs} --issuer ${DEMO.licensing} --license ${DEMO.licenseId} --declaration NL-2026-0001 --date ${today} --line 1=5`,
    `npx corridor license drawdowns --as ${DEMO.licensing} --license ${DEMO.licenseId}`,
    `npx corridor euc query --as ${DEMO.customs} --issuer ${DEMO.eucIssuer} --euc ${DEMO.eucId} --end-user "Straits Photonics Lab" --item 6A003.b.4=5`,
    `npx corridor license status --as ${DEMO.licensing} --license ${DEMO.licenseId} --status suspended --reason "end-user under review"`,
    `npx corridor delivery list --as ${DEMO.licensing} --license ${END_USE_DEMO.licenseId}`,
    `npx corridor psv query --as ${DEMO.licensing} --case ${END_USE_DEMO.caseId}`,
    `(the license JSON is ${shellPath(join(home, 'demo', `${DEMO.licenseId}.json`), cwd)}; key files are in ${shellPath(join(home, 'keys'), cwd)})`,
  ];
}
