/**
 * Schema validation with validators compiled at build time (scripts/generate-validators.ts,
 * ajv standalone, the same Ajv options as before: allErrors, strict, no coercion, no defaults):
 * a cold start loads plain functions and never runs Ajv's compiler. Schemas are closed:
 * unknown members are refused with a pointer, never stripped (`removeAdditional` stays off).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { SignedDocumentKind } from './schema-registry.ts';
import type { FieldError } from './errors.ts';
import type { ActionName } from './routes.ts';
import { BODY_VALIDATORS as BODY, DOCUMENT_VALIDATORS as DOCUMENTS } from './validators.generated.ts';

const BODY_VALIDATORS = BODY as Record<ActionName, ValidateFunction>;
const DOCUMENT_VALIDATORS = DOCUMENTS as Record<SignedDocumentKind, ValidateFunction>;

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Ajv errors as RFC 9457 `errors` entries. Messages never echo the offending value. */
function toFieldErrors(prefix: string, errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    let pointer = `${prefix}${e.instancePath}`;
    let detail = e.message ?? 'is not valid';
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      pointer = `${pointer}/${escapePointer(extra)}`;
      detail = 'unknown member (schemas are closed)';
    } else if (e.keyword === 'required') {
      pointer = `${pointer}/${escapePointer(String((e.params as { missingProperty: string }).missingProperty))}`;
      detail = 'is required';
    }
    const key = `${pointer}\u0000${detail}`;
    if (seen.has(key) || out.length >= 20) continue;
    seen.add(key);
    out.push({ pointer, detail });
  }
  return out;
}

export type Validation = { ok: true } | { ok: false; errors: FieldError[] };

function run(validate: ValidateFunction, value: unknown, prefix: string): Validation {
  return validate(value) ? { ok: true } : { ok: false, errors: toFieldErrors(prefix, validate.errors) };
}

/** Validate an action's `body` claim; pointers are relative to the request payload. */
export function validateBody(act: ActionName, body: unknown): Validation {
  return run(BODY_VALIDATORS[act], body, '/body');
}

/** Validate a license, end-use certificate or psv report (the payload of the issuer's JWS). */
export function validateDocument(kind: SignedDocumentKind, doc: unknown, prefix = '/body/document/payload'): Validation {
  return run(DOCUMENT_VALIDATORS[kind], doc, prefix);
}
