/**
 * One Ajv 2020 instance for every schema in `schemas/`, each compiled once when this
 * module loads (never per request). Schemas are closed: unknown members are refused
 * with a pointer, never stripped (`removeAdditional` stays off).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { DocumentKind } from './documents.ts';
import type { FieldError } from './errors.ts';
import { BODY_SCHEMAS, COMMON_SCHEMA, DOCUMENT_SCHEMAS } from './schema-registry.ts';
import type { ActionName } from './routes.ts';

// ajv-formats ships CJS; under ESM interop its default export may be nested.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;

const ajv = new Ajv2020({ allErrors: true, strict: true, multipleOfPrecision: 6, removeAdditional: false, useDefaults: false, coerceTypes: false });
addFormats(ajv);
ajv.addSchema(COMMON_SCHEMA);

const BODY_VALIDATORS = Object.fromEntries(Object.entries(BODY_SCHEMAS).map(([act, schema]) => [act, ajv.compile(schema)])) as Record<ActionName, ValidateFunction>;

const DOCUMENT_VALIDATORS: Record<DocumentKind, ValidateFunction> = { license: ajv.compile(DOCUMENT_SCHEMAS.license), euc: ajv.compile(DOCUMENT_SCHEMAS.euc) };

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

/** Validate a license or end-use certificate (the payload of the issuer's JWS). */
export function validateDocument(kind: DocumentKind, doc: unknown, prefix = '/body/document/payload'): Validation {
  return run(DOCUMENT_VALIDATORS[kind], doc, prefix);
}
