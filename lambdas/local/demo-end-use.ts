/**
 * The end-use part of `npm start -- --demo` (issue 13): an earlier DE-BAFA license whose cameras were shipped by
 * NL-DOUANE, confirmed delivered by Singapore customs (SG-CUSTOMS), and checked on site by SG-MTI at DE-BAFA's request
 * (a reported post-shipment verification case). Kept on a license of its own so the README walk's numbers on
 * DE-2026-000123 stay as they are.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { CorridorClient } from '../client/corridor-client.ts';
import { signDocument } from '../client/signing.ts';
import { keyFilePath, type LocalFile } from './local-file.ts';
import { loadOrCreateKey, publicJwk, readKeyFile } from './key-files.ts';

export const END_USE_DEMO = { confirming: 'SG-CUSTOMS', licenseId: 'DE-2026-000098', importDeclarationId: 'SG-IMP-2026-0417', caseId: 'PSV-2026-001' } as const;

type Ok = (what: string, p: Promise<{ status: number; problem?: { title: string; detail: string } }>) => Promise<void>;
interface Parties { licensing: string; customs: string; eucIssuer: string; bafaJwk: JWK; douaneJwk: JWK; mtiJwk: JWK }

const day = (d: Date): string => d.toISOString().slice(0, 10);

export async function seedEndUseDemo(home: string, local: LocalFile, p: Parties, expectOk: Ok, license: (now: Date) => Record<string, unknown>): Promise<void> {
  const now = new Date();
  const operator = new CorridorClient(local.url, { agencyId: local.operator.agencyId, privateJwk: readKeyFile(local.operator.privateJwkFile) });
  const sgJwk = await loadOrCreateKey(keyFilePath(home, END_USE_DEMO.confirming), 'ES256', 'sg-customs-1');
  await expectOk('register SG-CUSTOMS', operator.callUntyped('agency.register', { agencyId: END_USE_DEMO.confirming, name: 'Singapore Customs', roles: ['customs'], keys: [{ kid: sgJwk.kid, jwk: publicJwk(sgJwk) }] }));
  const bafa = new CorridorClient(local.url, { agencyId: p.licensing, privateJwk: p.bafaJwk });
  const douane = new CorridorClient(local.url, { agencyId: p.customs, privateJwk: p.douaneJwk });
  const mti = new CorridorClient(local.url, { agencyId: p.eucIssuer, privateJwk: p.mtiJwk });
  const sg = new CorridorClient(local.url, { agencyId: END_USE_DEMO.confirming, privateJwk: sgJwk });
  await expectOk('agreement', bafa.call('agreement.put', { partner: END_USE_DEMO.confirming, documentType: 'license', permissions: ['confirm'] }));
  await expectOk('agreement', mti.call('agreement.put', { partner: p.licensing, documentType: 'psv', permissions: ['request'] }));

  const doc = { ...license(now), licenseId: END_USE_DEMO.licenseId, items: [{ line: 1, description: 'Thermal imaging camera', controlCode: '6A003.b.4', hsCode: '852580', quantity: 10, unit: 'pcs' }] };
  await expectOk('license.publish', bafa.call('license.publish', { document: await signDocument(p.bafaJwk, 'corridor-license+jws', doc) }));
  await expectOk('license.drawdown', douane.call('license.drawdown', { issuer: p.licensing, licenseId: END_USE_DEMO.licenseId, declarationId: 'NL-2026-0000', date: day(now), items: [{ line: 1, quantity: 10 }] }));
  await expectOk('delivery.confirm', sg.call('delivery.confirm', {
    issuer: p.licensing, licenseId: END_USE_DEMO.licenseId, importDeclarationId: END_USE_DEMO.importDeclarationId, date: day(now), items: [{ line: 1, quantity: 10 }],
    consignee: { name: 'Lumen Trading Pte. Ltd.' }, endUser: { name: 'Straits Photonics Lab' }, eucRef: { issuer: p.eucIssuer, eucId: 'SG-EUC-88121' },
  }));
  await expectOk('psv.request', bafa.call('psv.request', {
    caseId: END_USE_DEMO.caseId, checker: p.eucIssuer, licenseId: END_USE_DEMO.licenseId, eucRef: { issuer: p.eucIssuer, eucId: 'SG-EUC-88121' },
    endUser: { name: 'Straits Photonics Lab', country: 'SG', address: '1 Fusionopolis Way, Singapore' }, site: { name: 'Photonics lab, level 3', address: '1 Fusionopolis Way, Singapore', country: 'SG' },
    items: [{ line: 1, quantity: 10 }], questions: ['Are all ten cameras installed in the infrared sensing lab?', 'Has any camera left the site or been used outside research?'],
  }));
  const report = {
    caseId: END_USE_DEMO.caseId, requester: p.licensing, issuer: p.eucIssuer, version: 1, issuedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), licenseId: END_USE_DEMO.licenseId,
    outcome: 'verified', visitDate: day(now), itemsSeen: [{ line: 1, quantity: 10, serialNumbers: ['TIC-40117', 'TIC-40118', 'TIC-40119', 'TIC-40120', 'TIC-40121', 'TIC-40122', 'TIC-40123', 'TIC-40124', 'TIC-40125', 'TIC-40126'] }],
    findings: 'All ten cameras found installed on the lab benches, used for infrared sensing research; logbooks consistent with the stated end use.',
  };
  writeFileSync(join(home, 'demo', `${END_USE_DEMO.caseId}.report.json`), `${JSON.stringify(report, null, 2)}\n`);
  await expectOk('psv.report', mti.call('psv.report', { document: await signDocument(p.mtiJwk, 'corridor-psv-report+jws', report) }));
}
