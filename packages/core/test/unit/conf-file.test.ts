import { describe, expect, it } from 'vitest';
import { AUTO_CONF_HEADER, ConfFile, editAutoConf, parseConfLine } from '../../src/postgres/conf-file.js';

const SAMPLE = [
  '# PostgreSQL configuration file',
  '',
  "listen_addresses = 'localhost'\t\t# what IP address(es) to listen on;",
  'port = 5432\t\t\t\t# (change requires restart)',
  '#wal_level = replica\t\t\t# minimal, replica, or logical',
  "include_dir = 'conf.d'",
  "include_if_exists 'local.conf'",
  'search_path = \'"$user", public\'',
  "archive_command = 'test ! -f /arch/%f && cp %p /arch/%f # not a comment'   # real comment",
  'shared_buffers 128MB',
  '',
].join('\n');

describe('parseConfLine', () => {
  it('recognises settings with =, with a space only, and with leading whitespace', () => {
    expect(parseConfLine('port = 5432')).toMatchObject({ kind: 'setting', name: 'port', rawValue: '5432' });
    expect(parseConfLine('shared_buffers 128MB')).toMatchObject({ kind: 'setting', name: 'shared_buffers', rawValue: '128MB' });
    expect(parseConfLine('   Port=5433   # c')).toMatchObject({ kind: 'setting', name: 'port', rawValue: '5433' });
    expect(parseConfLine("name = 'it''s' # c")).toMatchObject({ kind: 'setting', rawValue: "'it''s'" });
  });

  it('recognises the three include directives with their unquoted path', () => {
    expect(parseConfLine("include 'a.conf'")).toEqual({ kind: 'include', directive: 'include', path: 'a.conf', raw: "include 'a.conf'" });
    expect(parseConfLine("include_dir = 'conf.d' # x")).toMatchObject({ kind: 'include', directive: 'include_dir', path: 'conf.d' });
    expect(parseConfLine("INCLUDE_IF_EXISTS 'x.conf'")).toMatchObject({ kind: 'include', directive: 'include_if_exists', path: 'x.conf' });
  });

  it('treats comments, commented-out settings, blank lines and garbage as other lines', () => {
    for (const raw of ['', '   ', '# port = 1', '   #port = 1', 'not a setting line']) expect(parseConfLine(raw)).toEqual({ kind: 'other', raw });
  });
});

describe('ConfFile reading', () => {
  const file = new ConfFile(SAMPLE);

  it('reads settings unquoted and ignores commented-out ones', () => {
    expect(file.get('listen_addresses')).toBe('localhost');
    expect(file.get('port')).toBe('5432');
    expect(file.get('wal_level')).toBeUndefined();
    expect(file.get('search_path')).toBe('"$user", public');
    expect(file.get('archive_command')).toBe('test ! -f /arch/%f && cp %p /arch/%f # not a comment');
    expect(file.get('shared_buffers')).toBe('128MB');
  });

  it('does not report include directives as settings', () => {
    expect(file.get('include_dir')).toBeUndefined();
    expect([...file.entries().keys()]).toEqual(['listen_addresses', 'port', 'search_path', 'archive_command', 'shared_buffers']);
    expect(
      file
        .parsed()
        .filter((l) => l.kind === 'include')
        .map((l) => l.kind === 'include' && [l.directive, l.path]),
    ).toEqual([
      ['include_dir', 'conf.d'],
      ['include_if_exists', 'local.conf'],
    ]);
  });

  it('looks names up case-insensitively', () => {
    const f = new ConfFile('Max_Connections = 100\n');
    expect(f.get('max_connections')).toBe('100');
    expect(f.get('MAX_CONNECTIONS')).toBe('100');
    expect(f.entries().get('max_connections')).toBe('100');
  });

  it('lets the last of duplicate settings win, as PostgreSQL does', () => {
    const f = new ConfFile('port = 5432\nmax_connections = 100\nPORT = 5433\n');
    expect(f.get('port')).toBe('5433');
    expect(f.entries().get('port')).toBe('5433');
  });

  it('gives an untouched file back byte for byte', () => {
    expect(new ConfFile(SAMPLE).toString()).toBe(SAMPLE);
    const crlf = SAMPLE.replace(/\n/g, '\r\n');
    expect(new ConfFile(crlf).toString()).toBe(crlf);
  });
});

describe('ConfFile.set', () => {
  it('rewrites the setting in place with a quoted value and keeps its trailing comment', () => {
    const out = new ConfFile(SAMPLE).set('port', '5433').toString();
    expect(out).toBe(SAMPLE.replace('port = 5432\t\t\t\t# (change requires restart)', "port = '5433'\t# (change requires restart)"));
  });

  it('keeps a trailing comment after a quoted value that contains #', () => {
    const out = new ConfFile(SAMPLE).set('archive_command', 'cp %p /new/%f').toString();
    expect(out).toContain("archive_command = 'cp %p /new/%f'\t# real comment\n");
    expect(out).not.toContain('/arch/');
  });

  it('keeps a trailing comment written without a space before #', () => {
    expect(new ConfFile('port = 5432# the port\n').set('port', '5433').toString()).toBe("port = '5433'\t# the port\n");
  });

  it('appends a setting that is not there, and leaves every other line alone', () => {
    const out = new ConfFile(SAMPLE).set('wal_level', 'replica').toString();
    expect(out).toBe(`${SAMPLE}wal_level = 'replica'\n`);
    // The commented-out default stays as it was.
    expect(out).toContain('#wal_level = replica\t\t\t# minimal, replica, or logical');
  });

  it('collapses duplicates to one line at the place of the last occurrence', () => {
    const out = new ConfFile('port = 5432\nmax_connections = 100\nPort = 5433 # mine\nwork_mem = 4MB\n').set('port', '6000').toString();
    expect(out).toBe("max_connections = 100\nport = '6000'\t# mine\nwork_mem = 4MB\n");
  });

  it('writes the name in lower case whatever case it was given in', () => {
    expect(new ConfFile('Port = 1\n').set('PORT', '2').toString()).toBe("port = '2'\n");
  });

  it('quotes values with quotes and backslashes so they read back the same', () => {
    const value = 'copy "%p" "C:\\server\\arch\\%f" it\'s';
    const f = new ConfFile('').set('archive_command', value);
    expect(f.toString()).toBe('archive_command = \'copy "%p" "C:\\\\server\\\\arch\\\\%f" it\'\'s\'\n');
    expect(new ConfFile(f.toString()).get('archive_command')).toBe(value);
  });

  it('refuses a value with a line break', () => {
    expect(() => new ConfFile('').set('primary_conninfo', 'a\nb')).toThrow(RangeError);
  });

  it('keeps CRLF line endings for edits, appends and removals', () => {
    const crlf = '# head\r\nport = 5432\r\nwork_mem = 4MB\r\n';
    const out = new ConfFile(crlf).set('port', '5433').set('wal_level', 'replica').remove('work_mem').toString();
    expect(out).toBe("# head\r\nport = '5433'\r\nwal_level = 'replica'\r\n");
  });

  it('keeps a missing final newline when editing in place', () => {
    expect(new ConfFile('# c\nport = 5432').set('port', '5433').toString()).toBe("# c\nport = '5433'");
  });

  it('starts a new line when appending to a file without a final newline', () => {
    const out = new ConfFile('port = 5432').set('wal_level', 'replica').toString();
    expect(out.split('\n').filter(Boolean)).toEqual(['port = 5432', "wal_level = 'replica'"]);
    expect(new ConfFile(out).get('port')).toBe('5432');
  });
});

describe('ConfFile.remove', () => {
  it('removes every line that sets the parameter, in any case, and nothing else', () => {
    const out = new ConfFile('# keep\nport = 1\n#port = 2\nwork_mem = 4MB\nPORT = 3\n').remove('Port').toString();
    expect(out).toBe('# keep\n#port = 2\nwork_mem = 4MB\n');
  });

  it('leaves a file without the parameter unchanged', () => {
    expect(new ConfFile(SAMPLE).remove('wal_level').toString()).toBe(SAMPLE);
  });

  it('keeps a missing final newline', () => {
    expect(new ConfFile('a = 1\nb = 2\nc = 3').remove('b').toString()).toBe('a = 1\nc = 3');
  });
});

describe('editAutoConf', () => {
  it('starts from the ALTER SYSTEM header when the file does not exist', () => {
    const out = editAutoConf(undefined, { primary_conninfo: "host=127.0.0.1 user='rep user'", port: '5431' });
    expect(out).toBe(`${AUTO_CONF_HEADER}primary_conninfo = 'host=127.0.0.1 user=''rep user'''\nport = '5431'\n`);
    expect(new ConfFile(out).get('primary_conninfo')).toBe("host=127.0.0.1 user='rep user'");
  });

  it('edits existing content in place and removes parameters given as undefined', () => {
    const current = `${AUTO_CONF_HEADER}port = '5432'\nwal_keep_size = '512'\nwork_mem = '4MB'\n`;
    const out = editAutoConf(current, { port: '5433', work_mem: undefined, hot_standby: 'on' });
    expect(out).toBe(`${AUTO_CONF_HEADER}port = '5433'\nwal_keep_size = '512'\nhot_standby = 'on'\n`);
  });

  it('changes nothing when the values are already there (idempotent)', () => {
    const once = editAutoConf(undefined, { port: '5433', wal_level: 'replica' });
    expect(editAutoConf(once, { port: '5433', wal_level: 'replica' })).toBe(once);
    expect(editAutoConf(once, { missing: undefined })).toBe(once);
  });
});
