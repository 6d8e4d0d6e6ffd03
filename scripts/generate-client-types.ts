/**
 * TypeScript types for the client from schemas/: every request body
 * (`<act>.request.schema.json`), every result (`<act>.result.schema.json`, where one exists)
 * and the documents, in lambdas/client/types.generated.ts, plus `ActionTypes` mapping each
 * action to its body and result. The schemas are the single source: the exchange validates
 * against the same files, so a client compiled against these types sends what it accepts.
 *
 * The schemas refer to each other by URN (`urn:corridor:schema:common#/$defs/party`), which
 * json-schema-to-typescript's resolver cannot fetch; so every schema and every `$defs` entry
 * is hoisted into one document under a stable name and each reference rewritten to a local
 * pointer. One compile then declares each shared definition (Party, Jwk, …) once.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

const ROOT = resolve(import.meta.dirname, '..');
const SCHEMAS = join(ROOT, 'schemas');
const OUT = join(ROOT, 'lambdas/client/types.generated.ts');
const URN = 'urn:corridor:schema:';

type Json = Record<string, unknown>;

/** `license.verify.request` → `LicenseVerifyRequest`; `agencyId` → `AgencyId`. */
const pascal = (s: string): string => s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
/** A definition keeps its own name (Party) unless another schema defines the same one; then it is prefixed by its schema. */
let clashes = new Set<string>();
/** Names that would shadow a global inside and outside the generated module. */
const RENAME: Record<string, string> = { Date: 'IsoDate' };
const defName = (schema: string, def: string): string => {
  const n = clashes.has(pascal(def)) ? pascal(`${schema} ${def}`) : pascal(def);
  return RENAME[n] ?? n;
};

function rewrite(node: unknown, schema: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, schema));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  // A $ref with siblings (a description, a repeated type) would be declared again as
  // Kid1, Kid2, …; the referenced definition alone names the type once.
  const ref = (node as Json).$ref;
  if (typeof ref === 'string') return { $ref: pointer(ref, schema) };
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$id' || k === '$schema' || k === '$defs') continue; // hoisted or meaningless once merged
    else out[k] = rewrite(v, schema);
  }
  return out;
}

function pointer(ref: string, from: string): string {
  const [base, frag = ''] = ref.split('#');
  const schema = base ? base.slice(URN.length) : from;
  if (base && !base.startsWith(URN)) throw new Error(`${from}: cannot resolve $ref ${ref}`);
  if (frag === '') return `#/$defs/${pascal(schema)}`;
  const m = /^\/\$defs\/([^/]+)$/.exec(frag);
  if (!m) throw new Error(`${from}: $ref ${ref} must point at a whole schema or one of its $defs`);
  return `#/$defs/${defName(schema, m[1]!)}`;
}

function load(): { defs: Json; actions: { act: string; request: string; result: string | null }[] } {
  const defs: Json = {};
  const names = readdirSync(SCHEMAS).filter((f) => f.endsWith('.schema.json')).sort();
  const schemas = names.map((file) => ({ file, name: file.replace(/\.schema\.json$/, ''), raw: JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Json }));
  const seen = new Map<string, number>();
  for (const n of [...schemas.map((s) => pascal(s.name)), ...schemas.flatMap((s) => Object.keys((s.raw.$defs as Json | undefined) ?? {}).map(pascal))]) seen.set(n, (seen.get(n) ?? 0) + 1);
  clashes = new Set([...seen].filter(([, n]) => n > 1).map(([k]) => k));
  for (const { file, name, raw } of schemas) {
    if (raw.$id !== `${URN}${name}`) throw new Error(`${file}: $id must be ${URN}${name}`);
    for (const [def, body] of Object.entries((raw.$defs as Json | undefined) ?? {})) defs[defName(name, def)] = { ...(rewrite(body, name) as Json), title: defName(name, def) };
    // A schema that only holds shared $defs (common, results) is no type of its own.
    if (!['type', 'properties', 'oneOf', 'anyOf', 'allOf', '$ref', 'enum', 'const'].some((k) => k in raw)) continue;
    // The schema's own title is prose; it becomes the doc comment and the type gets a stable name.
    const { title, ...rest } = rewrite(raw, name) as Json;
    defs[pascal(name)] = { ...rest, title: pascal(name), ...(title ? { description: [title, rest.description].filter(Boolean).join('\n\n') } : {}) };
  }
  const actions = names.filter((f) => f.endsWith('.request.schema.json')).map((f) => {
    const act = f.replace(/\.request\.schema\.json$/, '');
    return { act, request: pascal(`${act}.request`), result: existsSync(join(SCHEMAS, `${act}.result.schema.json`)) ? pascal(`${act}.result`) : null };
  });
  return { defs, actions };
}

const { defs, actions } = load();
const body = await compile({ $defs: defs, title: 'CorridorSchemas', type: 'object', additionalProperties: false } as JSONSchema, 'CorridorSchemas', {
  bannerComment: '',
  unreachableDefinitions: true,
  additionalProperties: false,
  declareExternallyReferenced: true,
  format: false,
  ignoreMinAndMaxItems: true, // otherwise every bounded array becomes a union of tuples
});
const map = actions.map((a) => `  '${a.act}': { request: ${a.request}; result: ${a.result ?? 'Record<string, unknown>'} };`).join('\n');
const missing = actions.filter((a) => !a.result).map((a) => a.act);
const source = `// Generated by scripts/generate-client-types.ts from schemas/ — do not edit; run \`npm run generate\`.
/* eslint-disable */
${body.replace(/^export interface CorridorSchemas \{\s*\}\n?/m, '').replace(/ \*\s*\n \* This interface was referenced by `CorridorSchemas`'s JSON-Schema\n \* via the `definition` "\w+".\n/g, '').replace(/\/\*\*\n \* This interface was referenced by `CorridorSchemas`'s JSON-Schema\n \* via the `definition` "\w+".\n \*\/\n/g, '')}
/** Each action's request body and result${missing.length ? ` (no result schema yet, so an untyped object: ${missing.join(', ')})` : ''}. */
export interface ActionTypes {
${map}
}
export type ActionName = keyof ActionTypes;
export type RequestOf<A extends ActionName> = ActionTypes[A]['request'];
export type ResultOf<A extends ActionName> = ActionTypes[A]['result'];
`;
// unchanged output is left alone, so tsc and watchers see no change
if (!existsSync(OUT) || readFileSync(OUT, 'utf8') !== source) writeFileSync(OUT, source);
console.log(`client types: ${actions.length} actions, ${actions.length - missing.length} with a result schema`);
