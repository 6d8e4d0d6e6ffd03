// The runtime owns what it runs on: nothing under lambdas/ reaches into lib/ (the CDK app) or loads CDK. The handler
// bundles esbuild builds from lambdas/ then cannot pull in CDK code, and what both sides share (tables, queue, keys,
// edge header names) lives in lambdas/ for CDK to import. Imports are read with the TypeScript parser, so every form
// counts: import/export ... from, import type, import x = require(), require(), import() and import('x').T types.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const RUNTIME = join(ROOT, 'lambdas');
const LIB = join(ROOT, 'lib');
/** The CDK packages: a handler that loads one ships CDK in its bundle and its cold start. */
const CDK_PACKAGES = ['aws-cdk-lib', 'aws-cdk', 'constructs', 'cdk-nag'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** Every module specifier of a source: string literals, or null where a dynamic import or require names none. */
function specifiersOf(fileName: string, text: string): (string | null)[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: (string | null)[] = [];
  const literal = (node: ts.Node | undefined): string | null => (node && ts.isStringLiteralLike(node) ? node.text : null);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      out.push(literal(node.moduleSpecifier));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      out.push(literal(node.moduleReference.expression));
    } else if (ts.isCallExpression(node)) {
      const dynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const requireCall = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (dynamicImport || requireCall) out.push(literal(node.arguments[0]));
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      out.push(literal(node.argument.literal));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Why `specifier`, imported by the file at `fileName`, breaks the layering; null if it does not. */
function violation(fileName: string, specifier: string | null): string | null {
  if (specifier === null) return 'a dynamic import or require whose module is not a string literal (cannot be checked)';
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const target = resolve(dirname(fileName), specifier);
    const fromLib = relative(LIB, target);
    return fromLib === '' || (!fromLib.startsWith('..') && !isAbsolute(fromLib)) ? `imports lib/ ('${specifier}')` : null;
  }
  const pkg = CDK_PACKAGES.find((p) => specifier === p || specifier.startsWith(`${p}/`));
  return pkg ? `imports the CDK package ${pkg} ('${specifier}')` : null;
}

function violationsOf(fileName: string, text: string): string[] {
  return specifiersOf(fileName, text)
    .map((s) => violation(fileName, s))
    .filter((v): v is string => v !== null)
    .map((v) => `${relative(ROOT, fileName)}: ${v}`);
}

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : runtimeFiles(path);
    return SOURCE_EXTENSIONS.has(extname(e.name)) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('layering: the runtime (lambdas/) does not depend on the CDK app (lib/)', () => {
  it('no file under lambdas/ imports lib/ or a CDK package', () => {
    const files = runtimeFiles(RUNTIME);
    // the walk found the runtime (config.ts, the shared definitions and the handlers), not an empty folder
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['lambdas/config.ts', 'lambdas/definitions.ts', 'lambdas/handlers/origin-verify.ts']));
    expect(files.flatMap((f) => violationsOf(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('the check catches every import form, resolved against the importing file', () => {
    const handler = join(RUNTIME, 'handlers', 'x.ts');
    const sources = [
      "import { TABLES } from '../../lib/constructs/tables.ts';",
      "export { KMS_KEYS } from '../../lib/constructs/keys.ts';",
      "import type { Settings } from '../../lib/settings.ts';",
      "import lib = require('../../lib/limits.ts');",
      "const m = require('../../lib/limits.ts');",
      "const m = await import('../../lib/corridor-app.ts');",
      "let s: import('../../lib/settings.ts').Settings;",
      "import '../../lib';",
      "import { Stack } from 'aws-cdk-lib';",
      "import { NagSuppressions } from 'cdk-nag';",
      "import { Construct } from 'constructs';",
      "const name = '../../lib/x.ts'; const m = await import(name);",
    ];
    for (const text of sources) expect(violationsOf(handler, text), text).toHaveLength(1);
    expect(violationsOf(handler, "import { TABLES } from '../../lib/constructs/definitions.ts';")[0]).toBe(
      "lambdas/handlers/x.ts: imports lib/ ('../../lib/constructs/definitions.ts')",
    );
  });

  it('the check passes the runtime\'s own modules, packages and look-alike paths', () => {
    const handler = join(RUNTIME, 'handlers', 'x.ts');
    const allowed = [
      "import { TABLES } from '../definitions.ts';",
      "import { readConfig } from '../config.ts';",
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { x } from './lib/helper.ts';", // lambdas/handlers/lib, not the CDK app
      "import { y } from '../../library/z.ts';",
      "import { z } from 'constructs-like';",
    ];
    for (const text of allowed) expect(violationsOf(handler, text), text).toEqual([]);
  });
});
