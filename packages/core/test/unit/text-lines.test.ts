import { describe, expect, it } from 'vitest';
import { joinLines, spliceLines, splitLines } from '../../src/postgres/text-lines.js';

describe('splitLines', () => {
  it('splits LF text and remembers each ending', () => {
    expect(splitLines('a\nb\n')).toEqual({ lines: ['a', 'b'], endings: ['\n', '\n'], eol: '\n' });
  });

  it('splits CRLF text without leaving \\r on the lines', () => {
    expect(splitLines('a\r\nb\r\n')).toEqual({ lines: ['a', 'b'], endings: ['\r\n', '\r\n'], eol: '\r\n' });
  });

  it('remembers a missing final newline', () => {
    expect(splitLines('a\nb')).toEqual({ lines: ['a', 'b'], endings: ['\n', ''], eol: '\n' });
    expect(splitLines('a\r\nb')).toEqual({ lines: ['a', 'b'], endings: ['\r\n', ''], eol: '\r\n' });
  });

  it('gives no lines for an empty file and one empty line for a lone newline', () => {
    expect(splitLines('')).toEqual({ lines: [], endings: [], eol: '\n' });
    expect(splitLines('\n').lines).toEqual(['']);
    expect(splitLines('\n\n').lines).toEqual(['', '']);
  });
});

describe('joinLines and spliceLines', () => {
  it("joins with each line's own ending", () => {
    expect(joinLines({ lines: ['a', 'b'], endings: ['\r\n', '\n'], eol: '\n' })).toBe('a\r\nb\n');
    expect(joinLines({ lines: ['a', 'b'], endings: ['\n', ''], eol: '\n' })).toBe('a\nb');
    expect(joinLines({ lines: [], endings: [], eol: '\n' })).toBe('');
  });

  it('gives inserted lines the usual ending and keeps the others', () => {
    const text = splitLines('a\r\nb\nc\r\n');
    spliceLines(text, 1, 0, 'new');
    expect(joinLines(text)).toBe('a\r\nnew\r\nb\nc\r\n');
  });

  it('keeps a file without a final newline that way, and inserting then removing restores it', () => {
    const text = splitLines('a\nb');
    spliceLines(text, 2, 0, 'x', 'y');
    expect(joinLines(text)).toBe('a\nb\nx\ny');
    spliceLines(text, 2, 2);
    expect(joinLines(text)).toBe('a\nb');
  });
});

describe('split/join round trip', () => {
  it.each([
    '',
    '\n',
    '\r\n',
    '\n\n\n',
    'one line',
    'one line\n',
    'a\nb\nc\n',
    'a\nb\nc',
    'a\r\nb\r\nc\r\n',
    'a\r\nb\r\nc',
    '\r\n\r\nx\r\n\r\n',
    '# comment\n\nport = 5432   # trailing\n',
    'trailing spaces   \n\ttabs\t\n',
    'ünïcödé 日本語\n',
  ])('gives %j back byte for byte', (text) => {
    expect(joinLines(splitLines(text))).toBe(text);
  });

  it('gives a file with mixed LF and CRLF line endings back byte for byte', () => {
    // A file edited on two systems; an edit elsewhere in it must not rewrite every line ending.
    const text = '# from Windows\r\nlocal all all trust\nhost all all 127.0.0.1/32 md5\r\n';
    expect(joinLines(splitLines(text))).toBe(text);
  });
});
