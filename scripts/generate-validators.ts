/**
 * Compiles every schema in `schemas/` at build time into lambdas/core/validators.generated.ts
 * (ajv standalone code), so a cold Lambda loads plain functions instead of running Ajv's
 * compiler (and carries no Ajv in its bundle). The Ajv options are the ones validation used to
 * compile with at init, so errors, pointers and messages are the same. Runs in `npm run
 * generate` (prepare, prestart, pretest); the output is not committed.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { _ } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import addFormatsModule from 'ajv-formats';
import { corridorFormats } from '../lambdas/core/formats.ts';
import { BODY_SCHEMAS, COMMON_SCHEMA, DOCUMENT_SCHEMAS, type SignedDocumentKind } from '../lambdas/core/schema-registry.ts';
import { ACTION_ROUTES, type HandlerGroup } from '../lambdas/core/routes.ts';

// These packages ship CJS; under ESM interop their default export may be nested one level.
const interop = <T>(m: unknown): T => ((m as { default?: T }).default ?? m) as T;
const addFormats = interop<(a: Ajv2020) => Ajv2020>(addFormatsModule);
const standaloneCode = interop<(ajv: Ajv2020, refs: Record<string, string>) => string>(standaloneModule);
const ucs2length = interop<(s: string) => number>(ucs2lengthModule);

const OUT = resolve(import.meta.dirname, '../lambdas/core/validators.generated.ts');
const UCS2_REQUIRE = 'require("ajv/dist/runtime/ucs2length").default';

/** The exact options validation compiled with at init before this step existed. */
const AJV_OPTIONS = { allErrors: true, strict: true, multipleOfPrecision: 6, removeAdditional: false, useDefaults: false, coerceTypes: false } as const;

/** Export names: action `license.verify` → `body_license_verify`, document `euc` → `document_euc`. */
const bodyExport = (act: string): string => `body_${act.replace(/\./g, '_')}`;
const documentExport = (kind: string): string => `document_${kind.replace(/-/g, '_')}`;

/**
 * Ajv's standalone code with no top-level side effect, so esbuild drops every validator a bundle does not reach (a
 * function's bundle reaches only its group's, see byGroup): a RegExp built at the top level is marked pure, and each
 * `validateN.evaluated = {…}` statement (read at run time by validators that $ref it) becomes a pure
 * `const validateN = Object.assign(validateN_, {…})` after the function, the exports moving to the end (after it).
 */
function treeShakable(code: string): string {
  const exports: string[] = [];
  let out = code.replace(/export const (\w+) = (validate\d+);/g, (_m, name: string, fn: string) => {
    exports.push(`export const ${name} = ${fn};`);
    return '';
  });
  out = out.replace(/= new RegExp\(/g, '= /* @__PURE__ */ new RegExp(');
  out = out.replace(/function (validate\d+)\(/g, 'function $1_(');
  out = out.replace(/(validate\d+)\.evaluated = (\{[^;]*\});/g, 'const $1 = /* @__PURE__ */ Object.assign($1_, { evaluated: $2 });');
  const bare = [...out.matchAll(/function (validate\d+)_\(/g)].map((m) => m[1]!).filter((fn) => !out.includes(`const ${fn} = `));
  // a validator without an `evaluated` statement keeps its name
  for (const fn of bare) out += `\nconst ${fn} = ${fn}_;`;
  return `${out}\n${exports.join('\n')}`;
}

/** The handler group whose action validates each signed document kind (license.publish, euc.publish, psv.report, denial.notify). */
const DOCUMENT_GROUP: Record<SignedDocumentKind, HandlerGroup> = { license: 'licenses', euc: 'eucs', 'psv-report': 'licenses', denial: 'denials' };

/**
 * A map's entries, each group's behind `process.env.CORRIDOR_FUNCTION`: CDK defines it per function when bundling
 * (lambdas/bundle-modes.ts), so another group's validators are dead code and left out of the bundle; unbundled
 * (npm start, tests) it is unset and every entry is there.
 */
function byGroup(entries: [HandlerGroup, string, string][]): string {
  const groups = [...new Set(entries.map(([g]) => g))];
  return groups.map((g) => `  ...(process.env.CORRIDOR_FUNCTION === undefined || process.env.CORRIDOR_FUNCTION === ${JSON.stringify(g)} ? {\n${
    entries.filter(([eg]) => eg === g).map(([, key, name]) => `    ${JSON.stringify(key)}: ${name},`).join('\n')}\n  } : {}),`).join('\n');
}

function generateValidatorsModule(): string {
  // Formats resolve to one named ESM import (works under Node and esbuild alike); ucs2length is
  // inlined from Ajv's own runtime source, so the module has no require() left.
  const ajv = new Ajv2020({ ...AJV_OPTIONS, code: { source: true, esm: true, formats: _`corridorFormats` } });
  addFormats(ajv);
  // date-time also needs an instant Date can hold (no leap second): lambdas/core/formats.ts.
  ajv.addFormat('date-time', corridorFormats['date-time']);
  ajv.addSchema(COMMON_SCHEMA);
  const refs: Record<string, string> = {};
  for (const [act, schema] of Object.entries(BODY_SCHEMAS)) refs[bodyExport(act)] = String(schema.$id);
  for (const [kind, schema] of Object.entries(DOCUMENT_SCHEMAS)) refs[documentExport(kind)] = String(schema.$id);
  for (const schema of [...Object.values(BODY_SCHEMAS), ...Object.values(DOCUMENT_SCHEMAS)]) ajv.addSchema(schema);

  const code = treeShakable(standaloneCode(ajv, refs).split(UCS2_REQUIRE).join('ucs2length'));
  if (/\brequire\s*\(/.test(code)) throw new Error('generated validators still require() a runtime module; map it to an import here');
  const groupOf = (act: string): HandlerGroup => ACTION_ROUTES.find((r) => r.act === act)!.group;
  const bodyMap = byGroup(Object.keys(BODY_SCHEMAS).map((act) => [groupOf(act), act, bodyExport(act)]));
  const docMap = byGroup(Object.entries(DOCUMENT_GROUP).map(([kind, group]) => [group, kind, documentExport(kind)]));
  return [
    '// @ts-nocheck -- generated by scripts/generate-validators.ts from schemas/ (ajv standalone); do not edit, run `npm run generate`.',
    "import type { ValidateFunction } from 'ajv';",
    "import { corridorFormats } from './formats.ts';",
    `const ucs2length = ${ucs2length.toString()};`,
    code.replace(/^"use strict";/, ''),
    `export const BODY_VALIDATORS: Record<string, ValidateFunction> = {\n${bodyMap}\n};`,
    `export const DOCUMENT_VALIDATORS: Record<string, ValidateFunction> = {\n${docMap}\n};`,
    '',
  ].join('\n');
}

writeFileSync(OUT, generateValidatorsModule());
