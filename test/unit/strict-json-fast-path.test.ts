// The fast path of parseStrictJson (JSON.parse + one scan) must refuse exactly what the AST path
// refuses, with the same reason and pointer: it only ever answers "clean" or defers to the AST path.
import { describe, expect, it } from 'vitest';
import { parseStrictJson, StrictJsonError } from '../../lambdas/core/strict-json.ts';

const outcome = (text: string): unknown => {
  try {
    return { ok: parseStrictJson(text) };
  } catch (e) {
    return e instanceof StrictJsonError ? { reason: e.reason, message: e.message } : { thrown: String(e) };
  }
};

describe('parseStrictJson fast path', () => {
  it.each([
    ['{"a":1,"a":2}', { reason: 'duplicate', message: 'duplicate member name at /a' }],
    ['{"a":1,"\\u0061":2}', { reason: 'duplicate', message: 'duplicate member name at /a' }],
    ['{"x":[{"k":1},{"k":2,"k":3}]}', { reason: 'duplicate', message: 'duplicate member name at /x/1/k' }],
    ['{"a\\"b":1,"a\\"b":2}', { reason: 'duplicate', message: 'duplicate member name at /a"b' }],
    ['{"a\\\\":1,"a\\\\" :2}', { reason: 'duplicate', message: 'duplicate member name at /a\\' }],
    ['{"s":"\\ud800"}', { reason: 'utf8', message: 'not valid UTF-8 / Unicode' }],
    ['{"\\udc00":1}', { reason: 'utf8', message: 'not valid UTF-8 / Unicode' }],
    ['{"a":1,}', { reason: 'syntax', message: 'not valid JSON' }],
    [`${'['.repeat(100_000)}${']'.repeat(100_000)}`, { reason: 'syntax', message: 'not valid JSON' }],
  ])('%s → refused as before', (text, expected) => {
    expect(outcome(text)).toEqual(expected);
  });

  it.each([
    ['{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}'],
    ['{"k":"a:b","l":["x",":","y"],"m":"\\"a\\":1"}'],
    ['{"a":"\\ud83d\\ude00","b":"😀"}'],
    [`{"d":${'['.repeat(70)}1${']'.repeat(70)}}`],
  ])('%s → parsed', (text) => {
    expect(outcome(text)).toEqual({ ok: JSON.parse(text) });
  });
});
