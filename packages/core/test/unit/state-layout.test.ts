import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stateLayout } from '../../src/state/state-layout.js';

describe('stateLayout', () => {
  it('names every path inside the state directory', () => {
    const l = stateLayout('/srv/demo/.hotstandby');
    expect(l.root).toBe('/srv/demo/.hotstandby');
    expect(l.stateFile).toBe('/srv/demo/.hotstandby/state.json');
    expect(l.lockFile).toBe('/srv/demo/.hotstandby/lock');
    expect(l.secretsDir).toBe('/srv/demo/.hotstandby/secrets');
    expect(l.runDir).toBe('/srv/demo/.hotstandby/run');
    expect(l.replicationPassfile).toBe('/srv/demo/.hotstandby/run/replication.pgpass');
    expect(l.dataRoot).toBe('/srv/demo/.hotstandby/data');
    expect(l.logFile('slave1')).toBe('/srv/demo/.hotstandby/logs/slave1.log');
    expect(l.secretFile('replication')).toBe('/srv/demo/.hotstandby/secrets/replication.password');
  });

  it('puts sockets in the run directory when the socket path fits the kernel limit', () => {
    const l = stateLayout('/srv/demo/.hotstandby');
    expect(l.socketDir()).toBe(l.runDir);
    expect(`${l.socketDir()}/.s.PGSQL.65535`.length).toBeLessThanOrEqual(107);
  });

  it('falls back to the temp directory when the socket path would be too long', () => {
    const deep = path.join('/', 'x'.repeat(100), '.hotstandby');
    expect(stateLayout(deep).socketDir()).toBe(os.tmpdir());
  });

  it('uses the run directory near the limit and the temp directory once the socket path would not fit', () => {
    // Linux sun_path holds 108 bytes with the NUL: the socket path (runDir + "/.s.PGSQL.65535") may be 107 bytes.
    const runDirOfLength = (n: number) => stateLayout('/' + 'r'.repeat(n - '/run'.length - 1));
    const socket = '/.s.PGSQL.65535'.length;
    const fits = runDirOfLength(107 - socket - 1);
    expect(fits.runDir.length + socket).toBe(106);
    expect(fits.socketDir()).toBe(fits.runDir);
    const tooLong = runDirOfLength(107 - socket + 1);
    expect(tooLong.runDir.length + socket).toBe(108);
    expect(tooLong.socketDir()).toBe(os.tmpdir());
  });
});
