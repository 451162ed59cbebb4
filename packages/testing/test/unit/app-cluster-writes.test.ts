import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_CLUSTER_ENV, appCluster, type AppClusterInfo } from '../../src/app/index.js';

const refused = (statement: string) =>
  `2026-12-05 15:00:01.000 UTC [42] ERROR:  cannot execute ${statement.split(' ')[0]} in a read-only transaction\n2026-12-05 15:00:01.000 UTC [42] STATEMENT:  ${statement}\n`;

// A kept state directory with replica1's server log: what a project's own config leaves between runs.
function keptCluster(): { dir: string; log: string; env: NodeJS.ProcessEnv; info: AppClusterInfo } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-app-writes-'));
  const configFile = path.join(dir, 'hotstandby.config.json');
  writeFileSync(configFile, JSON.stringify({ stateDir: path.join(dir, 'state'), primary: { name: 'primary', port: 5999 }, standbys: [{ name: 'replica1', port: 6000 }] }));
  const log = path.join(dir, 'state', 'logs', 'replica1.log');
  mkdirSync(path.dirname(log), { recursive: true });
  // An earlier run's refused write.
  writeFileSync(log, refused('INSERT INTO orders VALUES ($1)'));
  const node = (name: string, port: number) => ({ name, port, host: '127.0.0.1', readPool: name !== 'primary' });
  const info = {
    configFile,
    env: { nodes: [node('primary', 5999), node('replica1', 6000)], user: 'postgres', database: 'postgres', passfile: path.join(dir, 'pgpass') },
    logOffsets: { primary: 0, replica1: statSync(log).size },
  } as unknown as AppClusterInfo;
  return { dir, log, info, env: { [APP_CLUSTER_ENV]: JSON.stringify(info) } };
}

describe('assertNoWritesOn without a mark', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("starts where the log was at setup, and passes over verify's probes (also the CREATE TABLE one of a delayed standby)", async () => {
    const kept = keptCluster();
    dir = kept.dir;
    const app = appCluster(kept.env);
    appendFileSync(kept.log, refused('CREATE TABLE public."hotstandby_verify_0a1b2c3d_probe" (id int)'));
    appendFileSync(kept.log, refused(`INSERT INTO public."hotstandby_verify_0a1b2c3d" (id, token) VALUES (2, 'standby')`));
    await app.assertNoWritesOn('replica1');
    appendFileSync(kept.log, refused('UPDATE orders SET paid = true'));
    await expect(app.assertNoWritesOn('replica1')).rejects.toThrow(/^1 write went to replica1, which is read-only:\n.*UPDATE orders SET paid = true$/);
    // A mark still starts where it says.
    expect(await app.writeAttemptsOn('replica1', { node: 'replica1', offset: 0 })).toHaveLength(2);
  });
});

describe('@hotstandby/testing/app re-exports', () => {
  it('passwordFromPassfile, so a project that installed only @hotstandby/testing reads the password at run time', async () => {
    const { passwordFromPassfile } = await import('../../src/app/index.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-app-pgpass-'));
    try {
      writeFileSync(path.join(dir, 'pgpass'), '127.0.0.1:6000:*:postgres:s3cret\n', { mode: 0o600 });
      expect(await passwordFromPassfile(path.join(dir, 'pgpass'), { host: '127.0.0.1', port: 6000, database: 'app', user: 'postgres' })).toBe('s3cret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
