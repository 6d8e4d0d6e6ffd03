/** A denial notification like the ones in docs/screening.md, and helpers to sign and notify it. */
import { signDocument } from '../../lambdas/client/signing.ts';
import type { Answer, ExchangeDriver, TestAgency } from './memory-exchange.ts';

export function denialDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    denialId: 'DE-DEN-2026-0042',
    issuer: 'DE-BAFA',
    version: 1,
    issuedAt: '2026-11-10T09:00:00Z',
    date: '2026-11-09',
    regimes: ['wassenaar', 'eu'],
    destinationCountry: 'IR',
    parties: [
      { role: 'end-user', name: 'Pars Optronic Industries', aliases: ['Pars Optronics Co.'], address: '12 Azadi Street, Tehran', country: 'IR' },
      { role: 'intermediary', name: 'Gulf Star Trading FZE', address: 'Jebel Ali Free Zone, Dubai', country: 'AE' },
    ],
    items: [{ controlCode: '6A003.b.4', description: 'Uncooled thermal imaging cores' }],
    reasonCode: 'military-end-use',
    rationale: 'End user supplies targeting systems to the armed forces.',
    ...over,
  };
}

export async function notify(x: ExchangeDriver, issuer: TestAgency, doc = denialDoc()): Promise<Answer> {
  return x.call(issuer, 'denial.notify', { document: await signDocument(issuer.privateJwk, 'corridor-denial+jws', doc) });
}

/** Every name, address and free text of denialDoc(): none may be stored in the clear. */
export const DENIAL_PLAINTEXT = ['Pars Optronic Industries', 'Pars Optronics Co.', '12 Azadi Street', 'Gulf Star Trading FZE', 'Jebel Ali Free Zone', 'Uncooled thermal imaging cores', 'targeting systems'];
