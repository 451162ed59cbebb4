import { describe, expect, it } from 'vitest';
import { lastMeaningfulLine } from '../../src/postgres/server-log.js';

describe('lastMeaningfulLine', () => {
  it('takes the FATAL line with the DETAIL after it, not the DETAIL alone', () => {
    const tail = [
      '2026-11-25 10:00:00.000 UTC [12] FATAL:  data directory "/srv/d" has invalid permissions',
      '2026-11-25 10:00:00.000 UTC [12] DETAIL:  Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).',
      '2026-11-25 10:00:00.001 UTC [12] LOG:  database system is shut down',
    ].join('\n');
    expect(lastMeaningfulLine(tail)).toBe('FATAL: data directory "/srv/d" has invalid permissions (DETAIL: Permissions should be u=rwx (0700) or u=rwx,g=rx (0750).)');
  });

  it('falls back to a line that reads like a failure, and to nothing', () => {
    expect(lastMeaningfulLine('sh: 1: cannot create /x/log: could not open\n')).toBe('sh: 1: cannot create /x/log: could not open');
    expect(lastMeaningfulLine('LOG:  all fine\n')).toBeUndefined();
  });
});
