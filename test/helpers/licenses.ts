/** A license document like Appendix A, and a helper to sign and publish it. */
import { signDocument } from '../../lambdas/client/signing.ts';
import type { Answer, ExchangeDriver, TestAgency } from './memory-exchange.ts';

export function licenseDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    licenseId: 'DE-2026-000123',
    issuer: 'DE-BAFA',
    version: 1,
    issuedAt: '2026-11-02T09:00:00Z',
    validFrom: '2026-11-02',
    validUntil: '2027-11-01',
    exporter: { name: 'Optik Werke GmbH', country: 'DE' },
    consignee: { name: 'Lumen Trading Pte Ltd', country: 'SG' },
    endUser: { name: 'Straits Photonics Lab', country: 'SG' },
    destinationCountry: 'SG',
    items: [
      { line: 1, description: 'Thermal imaging camera', controlCode: '6A003.b.4', hsCode: '852580', quantity: 40, unit: 'pcs', value: 120000, currency: 'EUR' },
      { line: 2, description: 'Spare lens', controlCode: '6A004.a', quantity: 10, unit: 'pcs' },
    ],
    conditions: ['No re-export without prior consent'],
    eucRef: { issuer: 'SG-MTI', eucId: 'SG-EUC-88121' },
    ...over,
  };
}

export async function publish(x: ExchangeDriver, issuer: TestAgency, doc = licenseDoc()): Promise<Answer> {
  return x.call(issuer, 'license.publish', { document: await signDocument(issuer.privateJwk, 'corridor-license+jws', doc) });
}

export const shipment = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  date: '2026-11-22',
  destinationCountry: 'SG',
  items: [{ controlCode: '6A003.b.4', quantity: 5 }],
  ...over,
});

export function eucDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eucId: 'SG-EUC-88121',
    issuer: 'SG-MTI',
    version: 1,
    issuedAt: '2026-10-20T08:00:00Z',
    validUntil: '2027-10-19',
    endUser: { name: 'Straits Photonics Lab', country: 'SG', address: '1 Fusionopolis Way' },
    importer: { name: 'Lumen Trading Pte Ltd', country: 'SG' },
    exporterCountry: 'DE',
    items: [{ description: 'Thermal imaging camera', controlCode: '6A003.b.4', quantity: 40, unit: 'pcs' }],
    endUse: 'Research on infrared sensing; no military end use',
    assurances: { noReexportWithoutConsent: true, noWmdUse: true, onSiteVerificationAllowed: true },
    ...over,
  };
}

export async function publishEuc(x: ExchangeDriver, issuer: TestAgency, doc = eucDoc()): Promise<Answer> {
  return x.call(issuer, 'euc.publish', { document: await signDocument(issuer.privateJwk, 'corridor-euc+jws', doc) });
}
