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

/** Nesting beyond this leaves the fast path: the AST path decides (it refuses what overflows its stack). */
const FAST_MAX_DEPTH = 64;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * One pass over text JSON.parse already accepted: true only when no object repeats a member name
 * and no escaped string decodes to a lone surrogate (unescaped ones cannot: the text came through
 * the fatal UTF-8 decoder). False means "not proven clean" and sends the text down the AST path,
 * so every refusal (its reason and pointer) is still decided there, exactly as before.
 */
function provablyStrict(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      if (stack.push(c === 0x7b ? new Set() : null) > FAST_MAX_DEPTH) return false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x22) {
      const start = i;
      let escaped = false;
      for (i++; text.charCodeAt(i) !== 0x22; i++) {
        if (text.charCodeAt(i) === 0x5c) {
          escaped = true;
          i++;
        }
      }
      let value = text.slice(start + 1, i);
      if (escaped) {
        value = JSON.parse(text.slice(start, i + 1)) as string;
        if (!value.isWellFormed()) return false;
      }
      let j = i + 1;
      while (isSpace(text.charCodeAt(j))) j++;
      const members = stack.at(-1);
      if (text.charCodeAt(j) === 0x3a && members) {
        if (members.has(value)) return false;
        members.add(value);
      }
    }
  }
  return true;
}

/** Parse JSON text, refusing duplicates and lone surrogates anywhere in it. */
export function parseStrictJson(text: string): unknown {
  // Fast path for the common case (a clean request): JSON.parse plus one linear scan, no AST.
  let fast: { value: unknown } | null = null;
  try {
    fast = { value: JSON.parse(text) };
  } catch {
    // not valid JSON: the AST path below refuses it with its usual reason
  }
  if (fast && provablyStrict(text)) return fast.value;
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
