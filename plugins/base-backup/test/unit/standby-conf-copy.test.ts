import { describe, expect, it } from 'vitest';
import { standbyConfCopy } from '../../src/outside-config.js';

describe('standbyConfCopy', () => {
  const conf = [
    "data_directory = '/srv/pg/main'",
    "external_pid_file = '/run/pg/main.pid'",
    "log_directory = '/var/log/pg'",
    "log_directory = 'log'",
    'archive_mode = always',
    'archive_mode = on',
    "include 'tuning.conf'",
    'work_mem = 8MB',
  ].join('\n');

  it('comments out per-node files, an absolute log_directory and archive_mode = always; keeps the rest', () => {
    const lines = standbyConfCopy(conf).split('\n');
    expect(lines.map((l) => l.startsWith('#hotstandby: '))).toEqual([true, true, true, false, true, false, false, false]);
    expect(lines.slice(3)).toEqual(["log_directory = 'log'", expect.stringContaining('archive_mode = always'), 'archive_mode = on', "include 'tuning.conf'", 'work_mem = 8MB']);
  });

  it('makes relative includes absolute only for a file copied from outside the data directory', () => {
    expect(standbyConfCopy(conf, '/etc/pg')).toContain("include = '/etc/pg/tuning.conf'");
    expect(standbyConfCopy(conf)).toContain("include 'tuning.conf'");
  });
});
