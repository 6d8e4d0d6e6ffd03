/** The license document as the core reads it (validated at publish; see schemas/license.schema.json). */

export interface LicenseLine { line: number; controlCode: string; quantity: number }

export interface LicenseDocument {
  licenseId: string;
  issuer: string;
  version: number;
  issuedAt: string;
  validFrom: string;
  validUntil: string;
  exporter: { name: string };
  consignee: { name: string };
  endUser: { name: string };
  destinationCountry: string;
  items: LicenseLine[];
}

/** remaining = the line's quantity in the current version − everything drawn on it so far (protocol.md §5). */
export function remainingLines(doc: LicenseDocument, drawn: Record<string, number>): { line: number; controlCode: string; remaining: number }[] {
  return doc.items.map((i) => ({ line: i.line, controlCode: i.controlCode, remaining: i.quantity - (drawn[String(i.line)] ?? 0) }));
}
