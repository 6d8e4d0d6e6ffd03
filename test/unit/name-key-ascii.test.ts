// The ASCII fast path of nameKey gives exactly the key of the full NFKC / case-fold / filter path.
import { describe, expect, it } from 'vitest';
import { nameKey, normalizedNameKey } from '../../lambdas/core/names.ts';

describe('nameKey ASCII fast path', () => {
  it('every ASCII character alone and between letters', () => {
    for (let c = 0; c < 0x80; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `a${ch}B`, `${ch}${ch}Z9`]) expect(nameKey(s)).toBe(normalizedNameKey(s));
    }
  });

  it('random ASCII strings', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const s = Array.from({ length: next() % 40 }, () => String.fromCharCode(next() % 0x80)).join('');
      expect(nameKey(s)).toBe(normalizedNameKey(s));
    }
  });

  it('non-ASCII names still take the full path', () => {
    for (const s of ['Müller GmbH', 'ＯＰＴＩＫ Werke', 'Straße', 'ǅemal', 'Café', 'İstanbul Ltd', 'ﬁne']) expect(nameKey(s)).toBe(normalizedNameKey(s));
  });
});
