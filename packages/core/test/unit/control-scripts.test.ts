import { describe, expect, it } from 'vitest';
import { controlScripts } from '../../src/cluster/control-scripts.js';

const input = {
  pgCtl: '/opt/pg 15/bin/pg_ctl',
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
    expect(sh).toContain('runuser -u postgres -- "$PG_CTL" "$@"');
    expect(sh).toContain('run_pg_ctl start -D "$PGDATA" -l "$LOG" -w');
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
    expect(files.get('stop-all.cmd')).toContain('call "%~dp0stop-slave1.cmd" %*\r\nif errorlevel 1 set "FAILED=%FAILED% slave1"');
  });

  it('leaves a node already in the target state as it is (pg_ctl status: 0 running, 3 stopped) and fails on anything else', () => {
    const start = files.get('start-master.sh')!;
    expect(start).toContain('run_pg_ctl status -D "$PGDATA" >/dev/null || status=$?');
    expect(start).toContain(`if [ "$status" = 0 ]; then echo 'master: already running'; exit 0; fi`);
    expect(start).toContain('if [ "$status" != 3 ]; then exit "$status"; fi');
    const stop = files.get('stop-master.sh')!;
    expect(stop).toContain(`if [ "$status" = 3 ]; then echo 'master: already stopped'; exit 0; fi`);
    expect(stop).toContain('if [ "$status" != 0 ]; then exit "$status"; fi');
    expect(stop.indexOf('status -D')).toBeLessThan(stop.indexOf('run_pg_ctl stop'));

    const startCmd = files.get('start-slave1.cmd')!.split('\r\n');
    expect(startCmd).toContain('"%PG_CTL%" status -D "%PGDATA%" >nul');
    expect(startCmd).toContain('if "%STATUS%"=="0" goto already');
    expect(startCmd).toContain('if not "%STATUS%"=="3" exit /b %STATUS%');
    expect(startCmd.indexOf('if not "%STATUS%"=="3" exit /b %STATUS%')).toBeLessThan(startCmd.findIndex((l) => l.includes('" start -D')));
    const stopCmd = files.get('stop-slave1.cmd')!.split('\r\n');
    expect(stopCmd).toContain('if "%STATUS%"=="3" goto already');
    expect(stopCmd).toContain('if not "%STATUS%"=="0" exit /b %STATUS%');
    expect(stopCmd.slice(stopCmd.indexOf(':already'))).toEqual([':already', 'echo slave1: already stopped', 'exit /b 0', '']);
  });

  it('runs every node in the "all" scripts even when one fails, and then fails naming it', () => {
    const stop = files.get('stop-all.sh')!;
    expect(stop).not.toMatch(/set -e/);
    expect(stop).toContain('"$here"/stop-slave1.sh "$@" || failed="$failed slave1"');
    expect(stop).toContain('if [ -n "$failed" ]; then echo "stop-all.sh: could not stop:$failed (see the messages above)" >&2; exit 1; fi');
    const cmd = files.get('start-all.cmd')!.split('\r\n');
    expect(cmd).toContain('if defined FAILED exit /b 1');
  });

  it('leaves out the user switch when hotstandby runs as the server user itself', () => {
    expect(controlScripts({ ...input, osUser: undefined }).get('start-master.sh')).not.toContain('runuser');
  });
});
