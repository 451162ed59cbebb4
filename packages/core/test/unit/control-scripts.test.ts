import { describe, expect, it } from 'vitest';
import { controlScripts } from '../../src/cluster/control-scripts.js';

const input = {
  pgCtl: "/opt/pg 15/bin/pg_ctl",
  osUser: 'postgres',
  nodes: [
    { name: 'master', description: 'primary, port 5432', dataDir: "/srv/it's data/master", logFile: '/srv/logs/master.log' },
    { name: 'slave1', description: 'standby of master, port 5431', dataDir: 'C:\\PostgreSQL\\data-slave1', logFile: 'C:\\PostgreSQL\\slave1.log' },
  ],
};

describe('controlScripts', () => {
  const files = controlScripts(input);

  it('writes start and stop scripts per node and for all, in sh and cmd', () => {
    expect([...files.keys()].sort()).toEqual(
      ['start-master', 'stop-master', 'start-slave1', 'stop-slave1', 'start-all', 'stop-all'].flatMap((b) => [`${b}.sh`, `${b}.cmd`]).sort(),
    );
  });

  it('quotes every path for sh, including spaces and single quotes, and switches to the OS user as root', () => {
    const sh = files.get('start-master.sh')!;
    expect(sh).toContain("PG_CTL='/opt/pg 15/bin/pg_ctl'");
    expect(sh).toContain(`PGDATA='/srv/it'\\''s data/master'`);
    expect(sh).toContain('exec runuser -u postgres -- "$PG_CTL" start -D "$PGDATA" -l "$LOG" -w');
    expect(sh.startsWith('#!/bin/sh\n')).toBe(true);
  });

  it('starts the primary first and stops it last', () => {
    const start = files.get('start-all.sh')!;
    const stop = files.get('stop-all.sh')!;
    expect(start.indexOf('start-master.sh')).toBeLessThan(start.indexOf('start-slave1.sh'));
    expect(stop.indexOf('stop-slave1.sh')).toBeLessThan(stop.indexOf('stop-master.sh'));
  });

  it('quotes every path in .cmd files and uses CRLF', () => {
    const cmd = files.get('start-slave1.cmd')!;
    expect(cmd).toContain('set "PGDATA=C:\\PostgreSQL\\data-slave1"');
    expect(cmd).toContain('"%PG_CTL%" start -D "%PGDATA%" -l "%LOG%" -w');
    expect(cmd).toContain('\r\n');
    expect(files.get('stop-all.cmd')).toContain('call "%~dp0stop-slave1.cmd" %* || exit /b 1');
  });

  it('leaves out the user switch when hotstandby runs as the server user itself', () => {
    expect(controlScripts({ ...input, osUser: undefined }).get('start-master.sh')).not.toContain('runuser');
  });
});
