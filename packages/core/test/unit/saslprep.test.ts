import { describe, expect, it } from 'vitest';
import { saslprepOrRaw } from '../../src/postgres/saslprep.js';

describe('saslprepOrRaw', () => {
  it('passes ASCII through unchanged, including characters SASLprep would prohibit', () => {
    for (const pw of ['secret', 'it\'s "quoted" \\ back', '  spaced  ', '', 'tab\there', 'ctl\x01char']) expect(saslprepOrRaw(pw)).toBe(pw);
  });

  it('normalises with NFKC', () => {
    expect(saslprepOrRaw('\u2168')).toBe('IX'); // ROMAN NUMERAL NINE
    expect(saslprepOrRaw('\uFB01x')).toBe('fix'); // LATIN SMALL LIGATURE FI
    expect(saslprepOrRaw('e\u0301')).toBe('\u00E9'); // combining acute composes
    expect(saslprepOrRaw('\u00AA')).toBe('a'); // FEMININE ORDINAL INDICATOR
  });

  it('maps non-ASCII spaces to a plain space', () => {
    expect(saslprepOrRaw('a\u00A0b')).toBe('a b');
    expect(saslprepOrRaw('a\u3000b\u2003c')).toBe('a b c');
    expect(saslprepOrRaw('a\u200Bb')).toBe('a b');
  });

  it('removes characters commonly mapped to nothing', () => {
    expect(saslprepOrRaw('pass\u00ADword')).toBe('password');
    expect(saslprepOrRaw('p\u200Dw\uFEFFd\u00E9')).toBe('pwd\u00E9');
  });

  it('leaves non-ASCII letters that need no mapping as they are', () => {
    expect(saslprepOrRaw('wörd')).toBe('wörd');
    expect(saslprepOrRaw('日本語')).toBe('日本語');
  });

  it('falls back to the raw password when the prepared one holds a prohibited character', () => {
    expect(saslprepOrRaw('é\u0080')).toBe('é\u0080'); // C1 control
    expect(saslprepOrRaw('\uFB01\uE000')).toBe('\uFB01\uE000'); // private use, no NFKC applied
    expect(saslprepOrRaw('\uFB01\u2028')).toBe('\uFB01\u2028'); // line separator
  });

  it("falls back to the raw password when it holds a code point unassigned in SASLprep's Unicode 3.2, as libpq does", () => {
    expect(saslprepOrRaw('\uFB01\u0221')).toBe('\uFB01\u0221'); // U+0221 was assigned after Unicode 3.2
  });

  it('falls back to the raw password when mapping leaves nothing', () => {
    expect(saslprepOrRaw('\u00AD\u200D')).toBe('\u00AD\u200D');
  });

  it('applies the bidi rule: RandAL strings must start and end with RandAL and hold no L', () => {
    expect(saslprepOrRaw('\u05E9\u05DC\u05D5\u05DD')).toBe('\u05E9\u05DC\u05D5\u05DD');
    expect(saslprepOrRaw('a\u05E9')).toBe('a\u05E9');
    expect(saslprepOrRaw('\u05E91')).toBe('\u05E91');
    // Raw fallback is visible when NFKC would have changed something.
    expect(saslprepOrRaw('\uFB01\u05E9')).toBe('\uFB01\u05E9');
  });

  it('prepares passwords with characters outside the BMP like PostgreSQL does', () => {
    // U+20000 (CJK Ext. B) is assigned and allowed; PostgreSQL works on code points, so it still applies NFKC
    // to the rest. A UTF-16 surrogate half is not a prohibited code point.
    expect(saslprepOrRaw('\uFB01\u{20000}')).toBe('fi\u{20000}');
    expect(saslprepOrRaw('\u{1D400}bc')).toBe('Abc'); // MATHEMATICAL BOLD CAPITAL A
  });
});
