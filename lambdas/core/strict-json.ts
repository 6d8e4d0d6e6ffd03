/**
 * Strict JSON for signed input: JSON.parse silently keeps the last of duplicate member
 * names, so a verifier and a later reader could see different values. We scan with
 * momoa's AST first (duplicates, lone surrogates per I-JSON RFC 7493) and only then trust
 * JSON.parse. Invalid UTF-8 is refused by the fatal decoder before any of this.
 */
import { parse as parseAst } from '@humanwhocodes/momoa';

type AstNode = ReturnType<typeof parseAst>['body'];

export type StrictJsonFailure = 'syntax' | 'duplicate' | 'utf8';

export class StrictJsonError extends Error {
  constructor(readonly reason: StrictJsonFailure, readonly pointer = '') {
    super(reason === 'duplicate' ? `duplicate member name at ${pointer || '/'}` : reason === 'utf8' ? 'not valid UTF-8 / Unicode' : 'not valid JSON');
    this.name = 'StrictJsonError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new StrictJsonError('utf8');
  }
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function scan(node: AstNode, pointer: string): void {
  switch (node.type) {
    case 'Object': {
      const seen = new Set<string>();
      for (const m of node.members) {
        const name = m.name.type === 'String' ? m.name.value : String(m.name);
        const here = `${pointer}/${escapePointer(name)}`;
        if (!name.isWellFormed()) throw new StrictJsonError('utf8', here);
        if (seen.has(name)) throw new StrictJsonError('duplicate', here);
        seen.add(name);
        scan(m.value as AstNode, here);
      }
      return;
    }
    case 'Array':
      node.elements.forEach((el, i) => scan(el.value as AstNode, `${pointer}/${i}`));
      return;
    case 'String':
      if (!node.value.isWellFormed()) throw new StrictJsonError('utf8', pointer);
      return;
    default:
      return;
  }
}

/** Parse JSON text, refusing duplicates and lone surrogates anywhere in it. */
export function parseStrictJson(text: string): unknown {
  let doc;
  try {
    doc = parseAst(text, { mode: 'json', ranges: false, tokens: false });
  } catch {
    throw new StrictJsonError('syntax');
  }
  try {
    scan(doc.body, '');
  } catch (e) {
    if (e instanceof RangeError) throw new StrictJsonError('syntax'); // nesting deeper than the stack
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new StrictJsonError('syntax'); // e.g. raw control characters, which momoa tolerates
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
