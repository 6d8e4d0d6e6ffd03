/**
 * A small static checker for JSON Schema `pattern`s (ECMAScript regex, as Ajv runs them with
 * backtracking). A pattern passes only if all of these hold:
 *
 *  anchored     it starts with `^` and ends with `$` (no alternation at the top level): an
 *               unanchored pattern is retried at every offset (O(n²) on failure) and matches
 *               more than meant;
 *  no-backref   no backreferences (`\1`, `\k<name>`): they make matching non-regular;
 *  no-lookaround no `(?=`, `(?!`, `(?<=`, `(?<!`;
 *  no-nested    no repetition (max > 1) of a group that itself contains a variable quantifier
 *               (`(a+)+`, `(a*)*`, `(a{1,3})+`): exponential backtracking;
 *  no-ambiguous-alt  a repeated group's alternatives must start with disjoint characters
 *               (`(a|a)*`, `(a|ab)*` fail): otherwise exponential backtracking;
 *  no-adjacent  two variable quantifiers that can match the same characters must be separated
 *               by a mandatory atom they cannot match (`\d+\d+`, `[a-z]*[a-z0-9]*`, `.*.*` fail):
 *               otherwise polynomial backtracking.
 *
 * Character sets are tracked exactly for literals, escapes and classes; `\p{…}` and anything
 * not understood counts as "any character", which only makes the checker stricter.
 */

type Range = [number, number];
/** A set of code points as sorted, disjoint ranges. */
type CharSet = Range[];

const MAX_CP = 0x10ffff;
const ANY: CharSet = [[0, MAX_CP]];

interface Item { atom: Atom; min: number; max: number }
type Seq = Item[];
type Atom =
  | { kind: 'set'; set: CharSet }
  | { kind: 'anchor' }
  | { kind: 'group'; alts: Seq[] };

export interface Lint { pattern: string; problems: string[] }

function norm(ranges: Range[]): CharSet {
  const sorted = ranges.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: CharSet = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
const union = (...sets: CharSet[]): CharSet => norm(sets.flat().map(([a, b]) => [a, b] as Range));
function complement(set: CharSet): CharSet {
  const out: Range[] = [];
  let next = 0;
  for (const [a, b] of norm(set)) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}
function overlaps(a: CharSet, b: CharSet): boolean {
  return a.some(([a0, a1]) => b.some(([b0, b1]) => a0 <= b1 && b0 <= a1));
}
const cp = (c: string): CharSet => [[c.codePointAt(0)!, c.codePointAt(0)!]];

const DIGIT: CharSet = [[48, 57]];
const WORD: CharSet = norm([[48, 57], [65, 90], [95, 95], [97, 122]]);
const SPACE: CharSet = norm([[9, 13], [32, 32], [160, 160], [5760, 5760], [8192, 8202], [8232, 8233], [8239, 8239], [8287, 8287], [12288, 12288], [65279, 65279]]);
const DOT: CharSet = complement([[10, 10], [13, 13], [8232, 8233]]);

class Parser {
  i = 0;
  readonly problems = new Set<string>();
  constructor(readonly src: string) {}

  peek(): string | undefined {
    return this.src[this.i];
  }
  eat(s: string): boolean {
    if (this.src.startsWith(s, this.i)) {
      this.i += s.length;
      return true;
    }
    return false;
  }

  alternation(): Seq[] {
    const alts = [this.seq()];
    while (this.eat('|')) alts.push(this.seq());
    return alts;
  }

  seq(): Seq {
    const items: Seq = [];
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      const [min, max] = this.quantifier();
      items.push({ atom, min, max });
    }
    return items;
  }

  quantifier(): [number, number] {
    let q: [number, number] = [1, 1];
    const c = this.peek();
    if (c === '*') q = [0, Infinity];
    else if (c === '+') q = [1, Infinity];
    else if (c === '?') q = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return q; // a literal brace (Annex B); treated by atom() next round
      this.i += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.eat('?');
      return [min, max];
    } else return q;
    this.i++;
    this.eat('?'); // lazy: same backtracking space
    return q;
  }

  atom(): Atom {
    const c = this.src[this.i++]!;
    if (c === '^' || c === '$') return { kind: 'anchor' };
    if (c === '.') return { kind: 'set', set: DOT };
    if (c === '[') return { kind: 'set', set: this.klass() };
    if (c === '(') {
      if (this.eat('?=') || this.eat('?!') || this.eat('?<=') || this.eat('?<!')) this.problems.add('no-lookaround');
      else if (this.eat('?<')) this.i = this.src.indexOf('>', this.i) + 1; // named group
      else this.eat('?:');
      const alts = this.alternation();
      if (!this.eat(')')) this.problems.add('syntax');
      return { kind: 'group', alts };
    }
    if (c === '\\') {
      const e = this.escape(false);
      return e === 'anchor' ? { kind: 'anchor' } : { kind: 'set', set: e };
    }
    const code = this.src.codePointAt(this.i - 1)!;
    if (code > 0xffff) this.i++; // a surrogate pair is one character (patterns run with the u flag)
    return { kind: 'set', set: [[code, code]] };
  }

  /** After a backslash; inside a class `\b` is a backspace. */
  escape(inClass: boolean): CharSet | 'anchor' {
    const c = this.src[this.i++]!;
    switch (c) {
      case 'd': return DIGIT;
      case 'D': return complement(DIGIT);
      case 'w': return WORD;
      case 'W': return complement(WORD);
      case 's': return SPACE;
      case 'S': return complement(SPACE);
      case 'b': return inClass ? [[8, 8]] : 'anchor';
      case 'B': return 'anchor';
      case 'n': return [[10, 10]];
      case 'r': return [[13, 13]];
      case 't': return [[9, 9]];
      case 'f': return [[12, 12]];
      case 'v': return [[11, 11]];
      case '0': return [[0, 0]];
      case 'p':
      case 'P':
        this.i = this.src.indexOf('}', this.i) + 1;
        return ANY;
      case 'k':
        this.problems.add('no-backref');
        this.i = this.src.indexOf('>', this.i) + 1;
        return ANY;
      case 'x': {
        const h = this.src.slice(this.i, this.i + 2);
        this.i += 2;
        return [[parseInt(h, 16), parseInt(h, 16)]];
      }
      case 'u': {
        if (this.eat('{')) {
          const end = this.src.indexOf('}', this.i);
          const v = parseInt(this.src.slice(this.i, end), 16);
          this.i = end + 1;
          return [[v, v]];
        }
        const v = parseInt(this.src.slice(this.i, this.i + 4), 16);
        this.i += 4;
        return [[v, v]];
      }
      case 'c': {
        const v = this.src.charCodeAt(this.i++) % 32;
        return [[v, v]];
      }
      default:
        if (/[1-9]/.test(c)) {
          this.problems.add('no-backref');
          while (/[0-9]/.test(this.peek() ?? '')) this.i++;
          return ANY;
        }
        return cp(c);
    }
  }

  klass(): CharSet {
    const negate = this.eat('^');
    const parts: CharSet[] = [];
    while (this.i < this.src.length && this.peek() !== ']') {
      const lo = this.classAtom();
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && lo.length === 1 && lo[0]![0] === lo[0]![1]) {
        this.i++;
        const hi = this.classAtom();
        if (hi.length === 1 && hi[0]![0] === hi[0]![1]) parts.push([[lo[0]![0], hi[0]![0]]]);
        else parts.push(lo, hi, cp('-'));
      } else parts.push(lo);
    }
    if (!this.eat(']')) this.problems.add('syntax');
    const set = union(...parts);
    return negate ? complement(set) : set;
  }

  classAtom(): CharSet {
    const c = this.src[this.i++]!;
    if (c === '\\') {
      const e = this.escape(true);
      return e === 'anchor' ? ANY : e;
    }
    const code = this.src.codePointAt(this.i - 1)!;
    if (code > 0xffff) this.i++;
    return [[code, code]];
  }
}

/** Every character an atom could consume (groups: everything inside). */
function charsOf(atom: Atom): CharSet {
  if (atom.kind === 'set') return atom.set;
  if (atom.kind === 'anchor') return [];
  return union(...atom.alts.flatMap((s) => s.map((i) => charsOf(i.atom))));
}

/** Characters a sequence may start with; ANY if it may match the empty string. */
function firstOf(seq: Seq): CharSet {
  const acc: CharSet[] = [];
  for (const item of seq) {
    if (item.atom.kind === 'anchor') continue;
    const f = item.atom.kind === 'set' ? item.atom.set : union(...item.atom.alts.map(firstOf));
    acc.push(f);
    const mayBeEmpty = item.min === 0 || (item.atom.kind === 'group' && item.atom.alts.some(nullable));
    if (!mayBeEmpty) return union(...acc);
  }
  return ANY;
}
function nullable(seq: Seq): boolean {
  return seq.every((i) => i.min === 0 || i.atom.kind === 'anchor' || (i.atom.kind === 'group' && i.atom.alts.some(nullable)));
}

const variable = (i: Item): boolean => i.max > i.min;
function containsVariable(alts: Seq[]): boolean {
  return alts.some((s) => s.some((i) => variable(i) || (i.atom.kind === 'group' && containsVariable(i.atom.alts))));
}

function check(alts: Seq[], problems: Set<string>): void {
  for (const seq of alts) {
    seq.forEach((item, idx) => {
      if (item.atom.kind === 'group') {
        if (item.max > 1 && containsVariable(item.atom.alts)) problems.add('no-nested');
        if (item.max > 1 && item.atom.alts.length > 1) {
          const firsts = item.atom.alts.map(firstOf);
          for (let a = 0; a < firsts.length; a++) for (let b = a + 1; b < firsts.length; b++) if (overlaps(firsts[a]!, firsts[b]!)) problems.add('no-ambiguous-alt');
        }
        check(item.atom.alts, problems);
      }
      if (variable(item) && item.max > 1) {
        const mine = charsOf(item.atom);
        for (const next of seq.slice(idx + 1)) {
          if (next.atom.kind === 'anchor') break;
          const theirs = charsOf(next.atom);
          if (variable(next) && next.max > 1 && overlaps(mine, theirs)) {
            problems.add('no-adjacent');
            break;
          }
          if (next.min >= 1 && !overlaps(mine, theirs)) break;
        }
      }
    });
  }
}

export function lintPattern(pattern: string): Lint {
  const p = new Parser(pattern);
  let alts: Seq[];
  try {
    alts = p.alternation();
    if (p.i !== pattern.length) p.problems.add('syntax');
  } catch {
    return { pattern, problems: ['syntax'] };
  }
  const top = alts.length === 1 ? alts[0]! : null;
  if (!top || top[0]?.atom.kind !== 'anchor' || pattern[0] !== '^' || top.at(-1)?.atom.kind !== 'anchor' || !pattern.endsWith('$') || pattern.endsWith('\\$')) p.problems.add('anchored');
  check(alts, p.problems);
  return { pattern, problems: [...p.problems].sort() };
}
