// Passwords with a single quote, double quotes, spaces, a backslash and non-ASCII work end to end, and never
// show up in the output, the server logs or any process's command line; secret files are 0600.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun, startCli, collect, type CliResult } from './support/cli.js';
import { expectUserError, nodeNamed, statusOf } from './support/cluster-json.js';
import { withClient, waitForReplay } from './support/pg.js';
import { sampleCommandLines } from './support/processes.js';
import { clusterConfig, createProject } from './support/project.js';

describe('awkward passwords', () => {
  test('quotes, spaces, backslash and non-ASCII in both passwords: up and verify succeed, and the passwords leak nowhere', async () => {
    // A random token in each password finds it in any quoting or escaping (SQL '', conninfo \', pgpass \\).
    const suToken = `su${randomBytes(5).toString('hex')}`;
    const repToken = `rep${randomBytes(5).toString('hex')}`;
    const superuserPassword = `it's a "p w" \\ ñ ${suToken}`;
    const replicationPassword = `it's a "p w" \\ ñ ${repToken}`;
    const tokens = [suToken, repToken];
    const project = await createProject();
    const config = await clusterConfig({
      superuser: { password: superuserPassword },
      replication: { user: 'repuser', password: replicationPassword },
      archive: true,
    });
    await project.writeConfig('hotstandby.config.json', config);

    const runs: CliResult[] = [];
    const sampler = sampleCommandLines(tokens, 20);
    let sampled: { samples: number; hits: string[] };
    try {
      runs.push(await collect('hotstandby up', startCli(['up'], { cwd: project.dir })));
    } finally {
      sampled = sampler.stop();
    }
    const up = runs[0]!;
    expect(up.code, describeRun(up)).toBe(0);
    expect(sampled.samples, 'the sampler ran while up ran').toBeGreaterThan(10);
    expect(sampled.hits, 'a password appeared in a command line').toEqual([]);

    for (const args of [['verify'], ['verify', '--json'], ['status'], ['status', '--json'], ['up', '--dry-run'], ['up']]) {
      const run = await project.run(args);
      expect(run.code, describeRun(run)).toBe(0);
      runs.push(run);
    }

    // The passwords work: the superuser logs in with its password on both nodes, the standby replays.
    const status = await statusOf(project);
    const primary = nodeNamed(status, 'primary');
    const standby = nodeNamed(status, 'standby1');
    await withClient(primary.port, superuserPassword, async (p) => {
      await withClient(standby.port, superuserPassword, async (s) => {
        await p.query('CREATE TABLE e2e_secret (v text)');
        await p.query('INSERT INTO e2e_secret VALUES ($1)', ['ok']);
        await waitForReplay(p, s);
        expect((await s.query('SELECT v FROM e2e_secret')).rows).toEqual([{ v: 'ok' }]);
        // The replication role logs in with its password too (pg_stat_replication shows it streaming).
        const rows = (await p.query("SELECT usename, state FROM pg_stat_replication WHERE application_name = 'standby1'")).rows;
        expect(rows).toEqual([{ usename: 'repuser', state: 'streaming' }]);
      });
    });

    // Secret files are 0600; server logs do not hold the passwords.
    const stateDir = project.path('.hotstandby');
    const secretFiles = [...filesUnder(path.join(stateDir, 'secrets')), path.join(stateDir, 'pgpass'), path.join(stateDir, 'run', 'replication.pgpass')];
    for (const file of secretFiles) {
      expect(existsSync(file), file).toBe(true);
      expect(modeOf(file).toString(8), `mode of ${file}`).toBe('600');
    }
    const logs = filesUnder(path.join(stateDir, 'logs')).filter((f) => f.endsWith('.log'));
    expect(logs.map((f) => path.basename(f)).sort()).toEqual(['primary.log', 'standby1.log']);
    for (const log of logs) {
      const text = readFileSync(log, 'utf8');
      for (const token of tokens) expect(text, `${log} holds a password`).not.toContain(token);
    }

    // The passwords live only in the secret files: not in state.json, the journal, logs or any server config;
    // the standby's primary_conninfo points at the passfile instead of carrying the password.
    const secretSet = new Set(secretFiles);
    const leaking = filesUnder(stateDir)
      .filter((f) => !secretSet.has(f) && !path.basename(f).startsWith('.s.PGSQL'))
      .filter((f) => tokens.some((t) => readFileSync(f).includes(t)));
    expect(leaking, 'files outside the secret files that hold a password').toEqual([]);
    for (const node of status.nodes) {
      for (const file of ['postgresql.auto.conf', 'postgresql.conf', 'pg_hba.conf']) {
        const text = readFileSync(path.join(node.dataDir, file), 'utf8');
        for (const token of tokens) expect(text, `${node.name}'s ${file} holds a password`).not.toContain(token);
      }
    }
    expect(readFileSync(path.join(standby.dataDir, 'postgresql.auto.conf'), 'utf8')).toMatch(/primary_conninfo = '[^']*passfile=/);

    const down = await project.run(['down', '--purge']);
    expect(down.code, describeRun(down)).toBe(0);
    runs.push(down);
    for (const run of runs) {
      for (const token of tokens) {
        expect(run.stdout, `stdout of ${run.command}`).not.toContain(token);
        expect(run.stderr, `stderr of ${run.command}`).not.toContain(token);
      }
    }
    expect(existsSync(stateDir)).toBe(false);
  });
  test('passwords from environment variables work, and a later command without them fails clearly', async () => {
    const token = `env${randomBytes(5).toString('hex')}`;
    const env = { E2E_SUPERUSER_PW: `env 'pw' "x" \\ é ${token}`, HOTSTANDBY_REPLICATION_PASSWORD: `rep 'env' \\ ü ${token}` };
    const project = await createProject();
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ superuser: { passwordEnv: 'E2E_SUPERUSER_PW' } }));

    const up = await project.run(['up'], { env });
    expect(up.code, describeRun(up)).toBe(0);
    const verify = await project.run(['verify'], { env });
    expect(verify.code, describeRun(verify)).toBe(0);
    const status = await statusOf(project, [], env);
    await withClient(nodeNamed(status, 'standby1').port, env.E2E_SUPERUSER_PW, async (c) => {
      expect((await c.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
    });
    // Nothing was generated: the passwords came from the environment.
    expect(existsSync(project.path('.hotstandby', 'secrets', 'superuser.password'))).toBe(false);

    // Without the variable the superuser password is unknown: verify either still works (from the 0600 pgpass
    // the tool wrote) or says so in one message that names the variable, with a fix.
    const without = await project.run(['verify']);
    if (without.code !== 0) expectUserError(without, ['E2E_SUPERUSER_PW']);
    for (const run of [up, verify, without]) {
      expect(run.stdout + run.stderr, run.command).not.toContain(token);
    }
  });
});

// Every file under dir (recursively).
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []));
}

// Permission bits of a file.
function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}
