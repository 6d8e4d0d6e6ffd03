/**
 * The JSON Schema formats bodies and documents are validated with: ajv-formats' full RFC 3339
 * checks, except that a `date-time` must also name an instant ECMAScript's Date can hold.
 * RFC 3339 allows a leap second (`23:59:60`) and ajv-formats an offset of whole hours (`+05`);
 * Date.parse returns NaN for both, and actions turn date-times into instants (audit.query's
 * window, a key's retirement against issuedAt). Such a value is refused as 400 at its field
 * instead of throwing later and answering 503. Dates (`date`) stay compared as strings.
 */
import type { FormatDefinition } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';

const rfc3339DateTime = fullFormats['date-time'] as FormatDefinition<string> & { validate: (s: string) => boolean };

/** An RFC 3339 date-time that Date.parse turns into a finite instant. */
export function isUsableDateTime(s: string): boolean {
  return rfc3339DateTime.validate(s) && Number.isFinite(Date.parse(s));
}

export const corridorFormats = { ...fullFormats, 'date-time': { ...rfc3339DateTime, validate: isUsableDateTime } };
