import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  buildConninfo,
  escapePercent,
  escapePgpassField,
  parseConninfo,
  pgpassLine,
  quoteConninfoValue,
  quoteGucString,
  quoteHbaName,
  quoteIdent,
  quoteLiteral,
  quoteShellArg,
  unquoteGucString,
} from '../../src/postgres/quoting.js';

// Values that break naive quoting somewhere: quotes, backslashes, '=', spaces, '#', '%', non-ASCII.
const AWKWARD = [
  'plain',
  'with space',
  "it's",
  'double "quoted"',
  'back\\slash',
  'trailing\\',
  "\\'",
  "''",
  'key=value',
  '=',
  'hash # not a comment',
  '100% done',
  'wörd ünïcödé 日本語 🐘',
  '\ttab',
  ' leading and trailing ',
  '',
];

describe('quoteIdent', () => {
  it('always double-quotes, so reserved words and capitals survive', () => {
    expect(quoteIdent('repuser')).toBe('"repuser"');
    expect(quoteIdent('Select')).toBe('"Select"');
    expect(quoteIdent('user')).toBe('"user"');
  });

  it('doubles embedded double quotes', () => {
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('""')).toBe('""""""');
  });

  it('refuses a NUL character', () => {
    expect(() => quoteIdent('a\0b')).toThrow(RangeError);
  });
});

describe('quoteLiteral', () => {
  it('uses a plain literal with doubled quotes when there is no backslash', () => {
    expect(quoteLiteral('abc')).toBe("'abc'");
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('')).toBe("''");
  });

  it('switches to an E literal with doubled backslashes when there is a backslash', () => {
    expect(quoteLiteral('C:\\dir')).toBe("E'C:\\\\dir'");
    expect(quoteLiteral("a\\'b")).toBe("E'a\\\\''b'");
    expect(quoteLiteral('\\')).toBe("E'\\\\'");
  });

  it('refuses a NUL character', () => {
    expect(() => quoteLiteral('\0')).toThrow(RangeError);
  });
});

describe('quoteGucString / unquoteGucString', () => {
  it('quotes the way postgresql.conf expects', () => {
    expect(quoteGucString('replica')).toBe("'replica'");
    expect(quoteGucString("it's")).toBe("'it''s'");
    expect(quoteGucString('copy "%p" "C:\\arch\\%f"')).toBe('\'copy "%p" "C:\\\\arch\\\\%f"\'');
    expect(quoteGucString('')).toBe("''");
  });

  it.each(AWKWARD)('round-trips %j', (value) => {
    expect(unquoteGucString(quoteGucString(value))).toBe(value);
  });

  it('refuses line breaks and NUL', () => {
    expect(() => quoteGucString('a\nb')).toThrow(RangeError);
    expect(() => quoteGucString('a\r\nb')).toThrow(/line break/);
    expect(() => quoteGucString('a\rb')).toThrow(RangeError);
    expect(() => quoteGucString('a\0b')).toThrow(/NUL/);
  });

  it('reads an unquoted value trimmed and stops at the closing quote', () => {
    expect(unquoteGucString('  on  ')).toBe('on');
    expect(unquoteGucString('5432')).toBe('5432');
    expect(unquoteGucString("'abc'   ")).toBe('abc');
  });

  it('decodes the escapes PostgreSQL decodes in conf strings', () => {
    expect(unquoteGucString("'a\\nb'")).toBe('a\nb');
    expect(unquoteGucString("'a\\tb'")).toBe('a\tb');
    expect(unquoteGucString("'a\\'b'")).toBe("a'b");
    expect(unquoteGucString("'a\\qb'")).toBe('aqb');
  });

  it('decodes octal escapes like PostgreSQL (\\101 is "A")', () => {
    // guc-file.l DeescapeQuotedString turns \ followed by up to three octal digits into that byte.
    expect(unquoteGucString("'a\\101b'")).toBe('aAb');
  });
});

describe('conninfo quoting', () => {
  it('leaves simple values bare and quotes everything else', () => {
    expect(quoteConninfoValue('127.0.0.1')).toBe('127.0.0.1');
    expect(quoteConninfoValue('/var/run/postgresql')).toBe('/var/run/postgresql');
    expect(quoteConninfoValue('')).toBe("''");
    expect(quoteConninfoValue('a b')).toBe("'a b'");
    expect(quoteConninfoValue("it's")).toBe("'it\\'s'");
    expect(quoteConninfoValue('a\\b')).toBe("'a\\\\b'");
    expect(quoteConninfoValue('x=y')).toBe("'x=y'");
    expect(quoteConninfoValue('wörd')).toBe("'wörd'");
  });

  it('builds keyword=value pairs in order, leaving out undefined values', () => {
    expect(buildConninfo({ host: '127.0.0.1', port: 5432, user: 'rep user', password: undefined, application_name: 'slave1' })).toBe(
      "host=127.0.0.1 port=5432 user='rep user' application_name=slave1",
    );
  });

  it.each(AWKWARD)('round-trips %j through buildConninfo and parseConninfo', (value) => {
    const params = { host: '/tmp/socket dir', user: value, password: value, dbname: 'replication' };
    expect(parseConninfo(buildConninfo(params))).toEqual(params);
  });

  it('parses what users write by hand: spaces around =, escapes in bare values', () => {
    expect(parseConninfo("  host = localhost   port=5433 password = 'a b' user=x\\ y ")).toEqual({
      host: 'localhost',
      port: '5433',
      password: 'a b',
      user: 'x y',
    });
  });

  it('refuses a keyword without = and an unterminated quote', () => {
    expect(() => parseConninfo('host')).toThrow(/missing "=" after "host"/);
    expect(() => parseConninfo("host='abc")).toThrow(/unterminated/);
  });

  it('refuses a NUL character', () => {
    expect(() => quoteConninfoValue('a\0')).toThrow(RangeError);
  });
});

describe('quoteHbaName', () => {
  it('quotes the keywords all and replication so they mean a role or database of that name', () => {
    expect(quoteHbaName('all')).toBe('"all"');
    expect(quoteHbaName('replication')).toBe('"replication"');
    expect(quoteHbaName('sameuser')).toBe('"sameuser"');
  });

  it('quotes +group, @file and /regex forms so they are literal names', () => {
    expect(quoteHbaName('+admins')).toBe('"+admins"');
    expect(quoteHbaName('@users.txt')).toBe('"@users.txt"');
    expect(quoteHbaName('/^rep')).toBe('"/^rep"');
  });

  it('doubles embedded double quotes and keeps commas and spaces inside the quotes', () => {
    expect(quoteHbaName('we"ird')).toBe('"we""ird"');
    expect(quoteHbaName('a, b')).toBe('"a, b"');
  });

  it('refuses line breaks and NUL', () => {
    expect(() => quoteHbaName('a\nb')).toThrow(RangeError);
    expect(() => quoteHbaName('a\0b')).toThrow(RangeError);
  });
});

describe('.pgpass lines', () => {
  it('escapes : and \\ in a field', () => {
    expect(escapePgpassField('plain')).toBe('plain');
    expect(escapePgpassField('a:b')).toBe('a\\:b');
    expect(escapePgpassField('a\\b')).toBe('a\\\\b');
    expect(escapePgpassField('\\:')).toBe('\\\\\\:');
  });

  it('builds host:port:database:user:password with wildcards left alone', () => {
    expect(pgpassLine('*', '*', 'replication', 'repuser', 'pa:ss\\word')).toBe('*:*:replication:repuser:pa\\:ss\\\\word');
    expect(pgpassLine('127.0.0.1', 5432, '*', 'rep:user', 's3cret')).toBe('127.0.0.1:5432:*:rep\\:user:s3cret');
  });

  it('refuses a line break in a field', () => {
    expect(() => escapePgpassField('a\nb')).toThrow(RangeError);
    expect(() => pgpassLine('*', '*', '*', 'u', 'pass\r\nword')).toThrow(RangeError);
  });
});

describe('quoteShellArg', () => {
  it('leaves safe words bare', () => {
    expect(quoteShellArg('/var/lib/postgresql/archive/%f')).toBe('/var/lib/postgresql/archive/%f');
    expect(quoteShellArg('--wal-method=stream')).toBe('--wal-method=stream');
  });

  it('single-quotes everything else, with embedded single quotes closed and escaped', () => {
    expect(quoteShellArg('')).toBe("''");
    expect(quoteShellArg('a b')).toBe("'a b'");
    expect(quoteShellArg("it's")).toBe("'it'\\''s'");
    expect(quoteShellArg('$HOME')).toBe("'$HOME'");
  });

  it('gives a real POSIX shell back exactly the original words', () => {
    const words = ["it's", '$HOME `id` $(id)', 'a "b" \\c', '*', '', 'wörd 🐘', 'semi;colon && pipe|'];
    const script = `for w in ${words.map(quoteShellArg).join(' ')}; do printf '%s\\0' "$w"; done`;
    const result = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(words);
  });

  it('refuses a NUL character', () => {
    expect(() => quoteShellArg('a\0b')).toThrow(RangeError);
  });
});

describe('escapePercent', () => {
  it('doubles % so archive_command does not expand it', () => {
    expect(escapePercent('/arch/100%/dir')).toBe('/arch/100%%/dir');
    expect(escapePercent('%p%f')).toBe('%%p%%f');
    expect(escapePercent('no percent')).toBe('no percent');
  });
});
