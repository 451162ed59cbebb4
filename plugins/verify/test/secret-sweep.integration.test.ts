import { afterEach, describe, expect, it } from 'vitest';
import type { LoadedPlugin } from '@hotstandby/core';
import { createTestCluster, type TestCluster } from '@hotstandby/testing';
import { randomBytes } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import userCreation from '@hotstandby/plugin-user-creation';
import hbaConfig from '@hotstandby/plugin-hba-config';
import walConfig from '@hotstandby/plugin-wal-config';
import baseBackup from '@hotstandby/plugin-base-backup';
import recoveryConfig from '@hotstandby/plugin-recovery-config';
import verify from '../src/index.js';

const plugins: LoadedPlugin[] = [
  { plugin: userCreation, origin: 'test' },
  { plugin: hbaConfig, origin: 'test' },
  { plugin: walConfig, origin: 'test' },
  { plugin: baseBackup, origin: 'test' },
  { plugin: recoveryConfig, origin: 'test' },
  { plugin: verify, origin: 'test' },
];

// Samples every process's argv (/proc/*/cmdline) until stopped, noting any that carries a secret.
function sampleCommandLines(secrets: readonly string[]) {
  const leaks: string[] = [];
  const programs = new Set<string>();
  let rounds = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
      await Promise.all(
        pids.map(async (pid) => {
          const raw = await readFile(`/proc/${pid}/cmdline`).catch(() => undefined);
          if (!raw || raw.length === 0) return;
          const argv = raw.toString('utf8').split('\0');
          programs.add(path.basename(argv[0] ?? ''));
          const line = argv.join(' ');
          for (const secret of secrets) if (line.includes(secret)) leaks.push(`pid ${pid}: ${line}`);
        }),
      );
      rounds++;
      // Sampling cadence, not a wait for a condition.
      await pause(15);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { leaks, programs, rounds };
    },
  };
}

// Every regular file under a directory.
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const p = path.join(dir, name);
    const st = await lstat(p);
    if (st.isDirectory()) out.push(...(await filesUnder(p)));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

describe('secret sweep over a full up()', () => {
  let tc: TestCluster | undefined;
  afterEach(async () => {
    await tc?.cleanup();
    tc = undefined;
  });

  it('keeps both passwords out of server logs, process arguments, tool output and every file but the two 0600 passfiles', async () => {
    const replicationPassword = `Sweep-rep-${randomBytes(8).toString('hex')}`;
    const superuserPassword = `Sweep-su-${randomBytes(8).toString('hex')}`;
    tc = await createTestCluster({
      plugins,
      replicationPassword,
      superuserPassword,
      settings: { wal_keep_size: '1024', log_statement: 'all', log_connections: 'on', log_replication_commands: 'on' },
    });
    const secrets = [replicationPassword, superuserPassword];

    const printed: string[] = [];
    const events: unknown[] = [];
    const sampler = sampleCommandLines(secrets);
    let result: unknown;
    try {
      result = await tc.cluster.up({ renderer: 'silent', print: (t) => printed.push(t), observe: (e) => events.push(e) });
    } finally {
      const sampled = await sampler.stop();
      expect(sampled.leaks, 'no process carried a password in its arguments').toEqual([]);
      expect(sampled.rounds).toBeGreaterThan(5);
      expect(
        [...sampled.programs].some((p) => p === 'pg_basebackup' || p === 'pg_ctl'),
        `the sampler saw the tool's child programs: ${[...sampled.programs].join(', ')}`,
      ).toBe(true);
    }
    const standby = tc.standby('standby1');
    expect(await standby.isInRecovery()).toBe(true);

    // The tool's own output and events.
    const said = [...printed, JSON.stringify(events), JSON.stringify(result)].join('\n');
    for (const secret of secrets) expect(said).not.toContain(secret);

    // Server logs exist, really logged statements and connections, and hold no password.
    const logs = [tc.primary.node.logFile, ...(await filesUnder(path.join(tc.spec.stateDir, 'logs')))];
    const primaryLog = await readFile(tc.primary.node.logFile, 'utf8');
    expect(primaryLog).toMatch(/statement: CREATE ROLE "repuser"/);
    expect(primaryLog).toMatch(/connection authorized: user=repuser/);
    expect(await readFile(path.join(tc.spec.stateDir, 'logs', 'standby1.log'), 'utf8')).toMatch(/database system is ready to accept read-only connections/);
    for (const log of logs) {
      const text = await readFile(log, 'utf8');
      for (const secret of secrets) expect(text, `${log} holds a password`).not.toContain(secret);
    }

    // Files: the passwords are only in the intended 0600 passfiles (data directories, WAL, journal, state included).
    const holders = new Map<string, string[]>();
    for (const file of await filesUnder(tc.primary.dir)) {
      const bytes = await readFile(file);
      const found = secrets.filter((s) => bytes.includes(s));
      if (found.length)
        holders.set(
          file,
          found.map((s) => (s === replicationPassword ? 'replication' : 'superuser')),
        );
    }
    const replicationPassfile = path.join(tc.spec.stateDir, 'run', 'replication.pgpass');
    const superuserPassfile = path.join(tc.spec.stateDir, 'pgpass');
    expect(Object.fromEntries(holders)).toEqual({ [replicationPassfile]: ['replication'], [superuserPassfile]: ['superuser'] });
    const repStat = await lstat(replicationPassfile);
    expect(repStat.mode & 0o777).toBe(0o600);
    expect(repStat.uid, 'the servers read it, so it belongs to their OS user').toBe(tc.primary.serverUser.uid);
    expect((await lstat(superuserPassfile)).mode & 0o777).toBe(0o600);

    // What the servers show about the connection never includes the password.
    const receiver = await standby.queryOne<{ conninfo: string }>('SELECT conninfo FROM pg_stat_wal_receiver');
    expect(receiver?.conninfo).toBeDefined();
    expect(receiver!.conninfo).not.toContain(replicationPassword);
    const shown = await standby.queryOne<{ c: string }>("SELECT current_setting('primary_conninfo') AS c");
    expect(shown!.c).not.toContain(replicationPassword);
  });
});
