/**
 * The denials part of `npm start -- --demo` (issue 14): DE-BAFA shares two signed denials — a thermal-camera end user
 * in Iran with its Dubai intermediary, and a machine-tool consignee — screened by NL-DOUANE (permission `screen`)
 * and read by a second licensing authority, NL-CDIU (`read`), which has opened a consultation on one of them. The
 * seed screens a variant spelling itself (Cyrillic `а`, `Optronik`, an added legal form) and fails unless it hits,
 * so the printed `corridor screen` command shows a real match.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { CorridorClient } from '../client/corridor-client.ts';
import { signDocument } from '../client/signing.ts';
import { keyFilePath, type LocalFile } from './local-file.ts';
import { loadOrCreateKey, publicJwk, readKeyFile } from './key-files.ts';

export const DENIAL_DEMO = {
  consulting: 'NL-CDIU',
  camerasDenial: 'DE-DEN-2026-0042',
  toolsDenial: 'DE-DEN-2026-0057',
  /** The spelling the seed screens (and the hints print): not how the denial lists the end user. */
  variant: 'Pаrs Optronik Industries LLC',
} as const;

type Ok = (what: string, p: Promise<{ status: number; problem?: { title: string; detail: string } }>) => Promise<void>;
interface Parties { licensing: string; customs: string; bafaJwk: JWK; douaneJwk: JWK }

const day = (d: Date): string => d.toISOString().slice(0, 10);

export function demoDenials(now: Date, issuer: string): Record<string, unknown>[] {
  const date = new Date(now.getTime() - 14 * 86_400_000);
  const common = { issuer, version: 1, issuedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), date: day(date) };
  return [
    {
      ...common, denialId: DENIAL_DEMO.camerasDenial, regimes: ['wassenaar', 'eu'], destinationCountry: 'IR',
      parties: [
        { role: 'end-user', name: 'Pars Optronic Industries', aliases: ['Pars Optronics Co.', 'POI Tehran'], address: '12 Azadi Street, Tehran', country: 'IR' },
        { role: 'intermediary', name: 'Gulf Star Trading FZE', address: 'Jebel Ali Free Zone, Dubai', country: 'AE' },
      ],
      items: [{ controlCode: '6A003.b.4', description: 'Uncooled thermal imaging cameras, 640 × 480' }],
      reasonCode: 'military-end-use',
      rationale: 'The end user integrates thermal imagers into weapon sights for the armed forces; the intermediary has re-exported controlled optics before.',
    },
    {
      ...common, denialId: DENIAL_DEMO.toolsDenial, regimes: ['wassenaar', 'nsg'], destinationCountry: 'IR',
      parties: [
        { role: 'consignee', name: 'Caspian Precision Machinery Co.', address: 'Industrial Zone 3, Bandar Anzali', country: 'IR' },
        { role: 'purchaser', name: 'Kavir Machine Tools', country: 'IR' },
      ],
      items: [{ controlCode: '2B001', description: 'Five-axis machining centre' }],
      reasonCode: 'wmd-end-use',
      rationale: 'Machining centres of this class are sought for centrifuge components; the purchaser is linked to the nuclear programme.',
    },
  ];
}

/** Denials, agreements, one screening hit through a variant spelling, one open consultation; returns the consultation id. */
export async function seedDenialDemo(home: string, local: LocalFile, p: Parties, expectOk: Ok): Promise<string> {
  const now = new Date();
  const operator = new CorridorClient(local.url, { agencyId: local.operator.agencyId, privateJwk: readKeyFile(local.operator.privateJwkFile) });
  const cdiuJwk = await loadOrCreateKey(keyFilePath(home, DENIAL_DEMO.consulting), 'ES256', 'nl-cdiu-1');
  await expectOk('register NL-CDIU', operator.callUntyped('agency.register', { agencyId: DENIAL_DEMO.consulting, name: 'Centrale Dienst voor In- en Uitvoer', roles: ['licensing'], keys: [{ kid: cdiuJwk.kid, jwk: publicJwk(cdiuJwk) }] }));
  const bafa = new CorridorClient(local.url, { agencyId: p.licensing, privateJwk: p.bafaJwk });
  const douane = new CorridorClient(local.url, { agencyId: p.customs, privateJwk: p.douaneJwk });
  const cdiu = new CorridorClient(local.url, { agencyId: DENIAL_DEMO.consulting, privateJwk: cdiuJwk });
  for (const doc of demoDenials(now, p.licensing)) {
    writeFileSync(join(home, 'demo', `${String(doc.denialId)}.json`), `${JSON.stringify(doc, null, 2)}\n`);
    await expectOk('denial.notify', bafa.call('denial.notify', { document: await signDocument(p.bafaJwk, 'corridor-denial+jws', doc) }));
  }
  await expectOk('agreement', bafa.call('agreement.put', { partner: p.customs, documentType: 'denial', permissions: ['screen'] }));
  await expectOk('agreement', bafa.call('agreement.put', { partner: DENIAL_DEMO.consulting, documentType: 'denial', permissions: ['read'] }));
  // The index behind `inverted` may lag the agreement by a moment: screen until the grant is seen (a few tries).
  for (let tries = 0; ; tries++) {
    const hit = await douane.call('screening.check', { parties: [{ name: DENIAL_DEMO.variant, country: 'IR' }], items: [{ controlCode: '6A003' }] });
    if (hit.result?.parties[0]?.matches.length) break;
    if (tries >= 20 || hit.problem) throw new Error(`demo: the variant spelling did not hit the denial (${hit.status} ${hit.problem?.detail ?? 'no match'})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const opened = await cdiu.call('consultation.open', { issuer: p.licensing, denialId: DENIAL_DEMO.camerasDenial, summary: 'Application NL-2026-3318: 40 thermal imaging cameras (6A003.b.4) for a Tehran optics maker, shipped through a Dubai trading house.' });
  if (!opened.result) throw new Error(`demo: consultation.open answered ${opened.status} ${opened.problem?.detail}`);
  return opened.result.consultation.consultationId;
}

/** The CLI commands of the denials demo (run as printed from another terminal). */
export function denialHints(p: { licensing: string; customs: string }, consultationId: string): string[] {
  return [
    `npx corridor screen --as ${p.customs} --name "${DENIAL_DEMO.variant}" --country IR --item 6A003`,
    `npx corridor consultation answer --as ${p.licensing} --consultation ${consultationId} --answer information --text "checking the end user" --extend`,
    `npx corridor consultation list --as ${DENIAL_DEMO.consulting}`,
  ];
}
