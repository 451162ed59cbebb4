import { describe, expect, it } from 'vitest';
import { controlScripts } from '../../src/cluster/control-scripts.js';
import { passfileModeProblem } from '../../src/postgres/passfile-mode.js';
import { stateLayout } from '../../src/state/state-layout.js';
import { asciiRelativePath, serverSidePath } from '../../src/util/server-side-path.js';

const root = 'C:\\hotstandby ci ü\\project\\.hotstandby';

describe('paths the Windows servers and cmd.exe read', () => {
  it('names a non-ASCII path relative to the data directory in the configuration of a Windows server', () => {
    expect(serverSidePath(`${root}\\run\\replication.pgpass`, `${root}\\data\\slave1`, 'win32')).toBe('..\\..\\run\\replication.pgpass');
    expect(serverSidePath(`${root}\\archive`, `${root}\\data\\master`, 'win32')).toBe('..\\..\\archive');
  });

  it('keeps an ASCII path, a path on another drive and every path off Windows as they are', () => {
    expect(serverSidePath('C:\\pg\\archive', 'C:\\pg\\data', 'win32')).toBe('C:\\pg\\archive');
    expect(serverSidePath('D:\\ü\\archive', `${root}\\data\\master`, 'win32')).toBe('D:\\ü\\archive');
    expect(serverSidePath('/srv/ü/archive', '/srv/ü/data', 'linux')).toBe('/srv/ü/archive');
  });

  it('gives no relative path when the differing part is not ASCII', () => {
    expect(asciiRelativePath('C:\\a\\ü', 'C:\\a\\data')).toBeUndefined();
    expect(asciiRelativePath('C:\\a\\b', 'C:\\a\\data')).toBeUndefined();
  });

  it('has Windows servers listen on TCP only (no socket directory)', () => {
    expect(stateLayout(root, 'win32').socketDir()).toBe('');
    expect(stateLayout('/srv/demo/.hotstandby', 'linux').socketDir()).toBe('/srv/demo/.hotstandby/run');
  });

  it('finds no mode problem in a passfile on Windows, where libpq checks no mode and Node reports none', async () => {
    expect(await passfileModeProblem(__filename, 12345, 'win32')).toBeUndefined();
    expect(await passfileModeProblem(__filename, 12345, 'linux')).toMatch(/owned by uid/);
  });

  it('has .cmd scripts find non-ASCII paths from their own directory, which cmd.exe reads in no code page', () => {
    const files = controlScripts({
      pgCtl: 'C:\\pg\\bin\\pg_ctl.exe',
      nodes: [{ name: 'master', description: 'primary, port 5432', dataDir: `${root}\\data\\master`, logFile: `${root}\\logs\\master.log` }],
      scriptDir: `${root}\\scripts`,
    });
    const cmd = files.get('start-master.cmd')!;
    expect(cmd).toContain('set "PG_CTL=C:\\pg\\bin\\pg_ctl.exe"');
    expect(cmd).toContain('set "PGDATA=%~dp0..\\data\\master"');
    expect(cmd).toContain('set "LOG=%~dp0..\\logs\\master.log"');
    expect(files.get('start-master.sh')).toContain(`PGDATA='${root}\\data\\master'`);
  });
});
