/** Bodies and documents for delivery confirmation and post-shipment verification tests (issue 13), like licenses.ts. */
import { signDocument } from '../../lambdas/client/signing.ts';
import type { Answer, ExchangeDriver, TestAgency } from './memory-exchange.ts';

/** Trade data of these bodies that must never be found at rest (with licenses.ts's TRADE_PLAINTEXT). */
export const END_USE_PLAINTEXT = ['Harbourfront Imaging Pte', 'Jurong Optics Annex', 'Were the cameras installed in the lab', 'Two cameras were missing from the inventory'];

export const confirmBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer: 'DE-BAFA',
  licenseId: 'DE-2026-000123',
  importDeclarationId: 'SG-IMP-0001',
  date: '2026-11-20',
  items: [{ line: 1, quantity: 5 }],
  consignee: { name: 'Lumen Trading Pte. Ltd.' },
  endUser: { name: 'STRAITS PHOTONICS LAB' },
  ...over,
});

export const psvRequestBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  caseId: 'PSV-2026-001',
  checker: 'SG-MTI',
  licenseId: 'DE-2026-000123',
  eucRef: { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' },
  endUser: { name: 'Straits Photonics Lab', country: 'SG', address: '1 Fusionopolis Way' },
  site: { name: 'Jurong Optics Annex', address: '7 Jurong West Street', country: 'SG' },
  items: [{ line: 1, quantity: 5 }],
  questions: ['Were the cameras installed in the lab named on the certificate?'],
  ...over,
});

export function psvReportDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    caseId: 'PSV-2026-001',
    requester: 'DE-BAFA',
    issuer: 'SG-MTI',
    version: 1,
    issuedAt: '2026-11-22T09:00:00Z',
    licenseId: 'DE-2026-000123',
    outcome: 'not-verified',
    visitDate: '2026-11-21',
    itemsSeen: [{ line: 1, quantity: 3, serialNumbers: ['TC-0001', 'TC-0002', 'TC-0003'] }],
    findings: 'Two cameras were missing from the inventory; the site manager could not say where they went.',
    ...over,
  };
}

export async function signPsvReport(reporter: TestAgency, doc = psvReportDoc()): Promise<string> {
  return signDocument(reporter.privateJwk, 'corridor-psv-report+jws', doc);
}

export async function report(x: ExchangeDriver, reporter: TestAgency, doc = psvReportDoc()): Promise<Answer> {
  return x.call(reporter, 'psv.report', { document: await signPsvReport(reporter, doc) });
}
