// Static review of every JSON Schema in schemas/ (protocol.md §2: "schemas are closed"; §3 400 on
// schema failure): bounded strings, linear-time patterns, closed objects, bounded arrays and numbers.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintPattern } from './regex-lint.ts';

type Schema = Record<string, unknown>;
const DIR = join(import.meta.dirname, '../../schemas');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const SCHEMAS: Record<string, Schema> = Object.fromEntries(FILES.map((f) => [f, JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Schema]));
const BY_ID: Record<string, Schema> = Object.fromEntries(Object.values(SCHEMAS).map((s) => [String(s.$id), s]));

interface Visit { file: string; path: string; schema: Schema; root: Schema; refinement: boolean; valuePosition: boolean; parent?: Schema }

const MAP_KEYWORDS = ['properties', '$defs', 'definitions', 'patternProperties', 'dependentSchemas'];
const ONE_KEYWORDS = ['items', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'contains', 'propertyNames'];
const LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const REFINEMENT_KEYWORDS = ['if', 'then', 'else', 'not'];

/** Every subschema of a document (objects only; `true`/`false` are reported as such). */
export function walk(file: string, root: Schema, each: (v: Visit) => void): void {
  const go = (schema: unknown, path: string, refinement: boolean, valuePosition: boolean, parent?: Schema): void => {
    if (typeof schema === 'boolean') {
      each({ file, path, schema: { __boolean: schema }, root, refinement, valuePosition, parent });
      return;
    }
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new Error(`${file}${path}: not a schema`);
    const s = schema as Schema;
    each({ file, path, schema: s, root, refinement, valuePosition, parent });
    for (const k of MAP_KEYWORDS) {
      if (s[k] && typeof s[k] === 'object') for (const [name, sub] of Object.entries(s[k] as Schema)) go(sub, `${path}/${k}/${name}`, refinement, k === 'properties' || k === 'patternProperties', s);
    }
    for (const k of ONE_KEYWORDS) if (k in s && !(k === 'additionalProperties' && s[k] === false) && !(k === 'unevaluatedProperties' && s[k] === false)) go(s[k], `${path}/${k}`, refinement, k === 'items' || k === 'additionalProperties', s);
    for (const k of LIST_KEYWORDS) if (Array.isArray(s[k])) (s[k] as unknown[]).forEach((sub, i) => go(sub, `${path}/${k}/${i}`, refinement, k === 'prefixItems', s));
    for (const k of REFINEMENT_KEYWORDS) if (k in s) go(s[k], `${path}/${k}`, true, false, s);
  };
  go(root, '', false, false);
}

/** Resolve a $ref from within `root` (same-document `#/…` or `urn:…#/…`). */
export function resolve(ref: string, root: Schema, byId: Record<string, Schema> = BY_ID): Schema {
  const [base, fragment = ''] = ref.split('#');
  const doc = base ? byId[base] : root;
  if (!doc) throw new Error(`unresolvable $ref ${ref}`);
  const target = fragment.split('/').slice(1).reduce<unknown>((node, part) => (node as Schema | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  if (!target || typeof target !== 'object') throw new Error(`unresolvable $ref ${ref}`);
  return target as Schema;
}
const rootOf = (ref: string, root: Schema, byId: Record<string, Schema>): Schema => (ref.split('#')[0] ? byId[ref.split('#')[0]!]! : root);

const types = (s: Schema): string[] => (Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : []);
const isStringy = (s: Schema): boolean => types(s).includes('string') || 'pattern' in s || 'format' in s || 'minLength' in s || 'maxLength' in s;
const isObjecty = (s: Schema): boolean => types(s).includes('object') || 'properties' in s || 'patternProperties' in s;
const isArrayish = (s: Schema): boolean => types(s).includes('array') || 'items' in s || 'prefixItems' in s;
const isNumeric = (s: Schema): boolean => types(s).includes('integer') || types(s).includes('number');
const constrainsType = (s: Schema): boolean => ['type', 'const', 'enum', '$ref', 'oneOf', 'anyOf', 'allOf'].some((k) => k in s);

function stringBounded(s: Schema, root: Schema, byId: Record<string, Schema>, seen = new Set<Schema>()): boolean {
  if (seen.has(s)) return false;
  seen.add(s);
  if (typeof s.maxLength === 'number' || 'const' in s || Array.isArray(s.enum)) return true;
  if (typeof s.$ref === 'string') return stringBounded(resolve(s.$ref, root, byId), rootOf(s.$ref, root, byId), byId, seen);
  return false;
}

/** Every rule, as a list of violations "file/path: rule". */
export function review(schemas: Record<string, Schema>): { violations: string[]; patterns: string[]; visited: number } {
  const byId: Record<string, Schema> = Object.fromEntries(Object.values(schemas).map((s) => [String(s.$id), s]));
  const violations: string[] = [];
  const patterns: string[] = [];
  let visited = 0;
  for (const [file, root] of Object.entries(schemas)) {
    walk(file, root, ({ path, schema: s, refinement, valuePosition, parent }) => {
      visited++;
      const at = `${file}#${path || '/'}`;
      if ('__boolean' in s) {
        if (s.__boolean === true && !refinement) violations.push(`${at}: open schema (true)`);
        return;
      }
      if (typeof s.$ref === 'string') {
        try {
          resolve(s.$ref, root, byId);
        } catch {
          violations.push(`${at}: $ref does not resolve`);
        }
      }
      if (typeof s.pattern === 'string') patterns.push(s.pattern);
      if (s.patternProperties && typeof s.patternProperties === 'object') patterns.push(...Object.keys(s.patternProperties));
      if (isStringy(s) && !stringBounded(s, root, byId)) violations.push(`${at}: string without maxLength`);
      if (refinement) {
        // if/then/else/not only narrow what the base schema allows; they must not name new members
        if (s.properties && parent && (path.endsWith('/then') || path.endsWith('/else'))) {
          const base = Object.keys((parent.properties ?? {}) as Schema);
          for (const k of Object.keys(s.properties as Schema)) if (!base.includes(k)) violations.push(`${at}: refinement names a member the base schema does not declare (${k})`);
        }
        return;
      }
      if (valuePosition && !constrainsType(s)) violations.push(`${at}: unconstrained value (no type, const, enum, $ref or combinator)`);
      if (isObjecty(s) && s.additionalProperties !== false && s.unevaluatedProperties !== false) violations.push(`${at}: object without additionalProperties: false`);
      if (isArrayish(s) && typeof s.maxItems !== 'number') violations.push(`${at}: array without maxItems`);
      if (isNumeric(s) && !('maximum' in s || 'exclusiveMaximum' in s)) violations.push(`${at}: number without an upper bound`);
      if (isNumeric(s) && !('minimum' in s || 'exclusiveMinimum' in s)) violations.push(`${at}: number without a lower bound`);
    });
  }
  return { violations, patterns, visited };
}

describe('the regex checker itself', () => {
  it.each([
    ['^(a+)+$', 'no-nested'],
    ['^(a*)*$', 'no-nested'],
    ['^(?:a{1,3})+$', 'no-nested'],
    ['^([a-z]+-?)+$', 'no-nested'],
    ['^(a|a)*$', 'no-ambiguous-alt'],
    ['^(a|ab)*$', 'no-ambiguous-alt'],
    ['^(?:[a-z]|\\w)+$', 'no-ambiguous-alt'],
    ['^(a)\\1$', 'no-backref'],
    ['^(?<x>a)\\k<x>$', 'no-backref'],
    ['^(?=a)a$', 'no-lookaround'],
    ['^(?!a)b$', 'no-lookaround'],
    ['^(?<=a)b$', 'no-lookaround'],
    ['^(?<!a)b$', 'no-lookaround'],
    ['^\\d+\\d+$', 'no-adjacent'],
    ['^[a-z]*[a-z0-9]*$', 'no-adjacent'],
    ['^a.*.*b$', 'no-adjacent'],
    ['^\\w+\\s?\\w+$', 'no-adjacent'],
    ['^[A-Z]+[^a-z]+$', 'no-adjacent'],
    ['abc', 'anchored'],
    ['^abc', 'anchored'],
    ['abc$', 'anchored'],
    ['^a$|^b$', 'anchored'],
    ['^a\\$', 'anchored'],
  ])('flags %s (%s)', (pattern, rule) => {
    expect(lintPattern(pattern).problems).toContain(rule);
  });

  it.each([
    '^[A-Z]{2}-[A-Z0-9]{2,16}$',
    '^(?:[a-z]{2}-)+$',
    '^(a|b)+$',
    '^[0-9]+\\.[0-9]+$',
    '^\\d+[a-z]+$',
    '^[^.]+\\.[^.]+$',
    '^\\u0041+\\x42*$',
    '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
    '^[\\p{L}]{1,10}$',
  ])('passes %s', (pattern) => {
    expect(lintPattern(pattern).problems).toEqual([]);
  });
});

describe('the schema rules themselves', () => {
  it('catch an open object, an unbounded string, an unbounded array, an unbounded number and an open value', () => {
    const bad: Record<string, Schema> = {
      'bad.json': {
        $id: 'urn:test:bad', type: 'object',
        properties: { s: { type: 'string' }, p: { pattern: '^a$' }, a: { type: 'array', items: { enum: [1] } }, n: { type: 'integer', minimum: 0 }, any: {}, o: { type: 'object', properties: {}, additionalProperties: false }, r: { $ref: '#/$defs/open' } },
        $defs: { open: { type: 'string' } },
      },
    };
    const { violations } = review(bad);
    expect(violations).toEqual(expect.arrayContaining([
      'bad.json#/: object without additionalProperties: false',
      'bad.json#/properties/s: string without maxLength',
      'bad.json#/properties/p: string without maxLength',
      'bad.json#/properties/a: array without maxItems',
      'bad.json#/properties/n: number without an upper bound',
      'bad.json#/properties/any: unconstrained value (no type, const, enum, $ref or combinator)',
      'bad.json#/$defs/open: string without maxLength',
    ]));
    expect(violations.some((v) => v.startsWith('bad.json#/properties/o:'))).toBe(false);
  });

  it('accept a bounded string via $ref, const or enum, and a oneOf of closed objects', () => {
    const good: Record<string, Schema> = {
      'good.json': {
        $id: 'urn:test:good', type: 'object', additionalProperties: false,
        properties: {
          a: { $ref: '#/$defs/s' }, b: { type: 'string', const: 'x' }, c: { type: 'string', enum: ['x', 'y'] },
          d: { oneOf: [{ type: 'object', additionalProperties: false, properties: { k: { const: 1 } } }, { type: 'object', additionalProperties: false }] },
          e: { $ref: '#/$defs/t', pattern: '^[a-z]+$' },
        },
        $defs: { s: { type: 'string', maxLength: 3 }, t: { type: 'string', maxLength: 9 } },
      },
    };
    expect(review(good).violations).toEqual([]);
  });
});

describe('schemas/*.json', () => {
  const { violations, patterns, visited } = review(SCHEMAS);

  it('loads every schema file, each with a unique $id', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(17);
    expect(new Set(Object.values(SCHEMAS).map((s) => s.$id)).size).toBe(FILES.length);
    expect(visited).toBeGreaterThan(150);
  });

  it('every request body schema is a closed object at its root', () => {
    for (const [file, s] of Object.entries(SCHEMAS).filter(([f]) => f.endsWith('.request.schema.json'))) {
      expect([file, s.type, s.additionalProperties]).toEqual([file, 'object', false]);
    }
  });

  it('every result schema (and the envelope, problem and event schemas) is a closed object at its root, or a $ref to one', () => {
    const roots = Object.entries(SCHEMAS).filter(([f]) => /\.result\.schema\.json$|^(request|response)\.(header|claims)\.|^problem\.|^audit\.event\./.test(f));
    expect(roots.length).toBeGreaterThanOrEqual(20);
    for (const [file, s] of roots) {
      const target = typeof s.$ref === 'string' ? resolve(s.$ref, s) : s;
      expect([file, target.type, target.additionalProperties]).toEqual([file, 'object', false]);
    }
  });

  it('every string (type string, or with pattern/format/length) has a maxLength, directly or via const/enum/$ref', () => {
    expect(violations.filter((v) => v.includes('string'))).toEqual([]);
  });

  it('every object is closed (additionalProperties: false), or a $ref / oneOf of closed objects', () => {
    expect(violations.filter((v) => v.includes('object') || v.includes('refinement'))).toEqual([]);
  });

  it('every array has maxItems', () => {
    expect(violations.filter((v) => v.includes('array'))).toEqual([]);
  });

  it('every number is bounded on both sides, every value position constrains its type, every $ref resolves', () => {
    expect(violations.filter((v) => v.includes('number') || v.includes('unconstrained') || v.includes('$ref') || v.includes('open schema'))).toEqual([]);
    expect(violations).toEqual([]);
  });

  // Ajv checks uniqueItems with a linear hash only when `items` itself declares a scalar `type`; with `$ref`
  // or enum-only items it compares every pair (O(n²)) — and under allErrors it does so even after maxItems
  // failed, so a 256 KiB body of ~20,000 distinct items costs tens of seconds (measured in `npm run bench`).
  it('every uniqueItems array declares a scalar `type` directly on its items (Ajv\'s linear path)', () => {
    const slow: string[] = [];
    for (const [file, root] of Object.entries(SCHEMAS)) {
      walk(file, root, ({ path, schema: s, refinement }) => {
        if (refinement || s.uniqueItems !== true) return;
        const items = (s.items ?? {}) as Schema;
        const t = types(items);
        if (t.length === 0 || t.some((x) => x === 'object' || x === 'array')) slow.push(`${file}#${path}`);
      });
    }
    expect(slow).toEqual([]);
  });

  it('every pattern is linear-time by the checker\'s rules', () => {
    expect(patterns.length).toBeGreaterThanOrEqual(10);
    const bad = patterns.map(lintPattern).filter((l) => l.problems.length);
    expect(bad).toEqual([]);
  });
  // Adversarial-input timings per pattern are a benchmark (`npm run bench`), not a timed test.
});
