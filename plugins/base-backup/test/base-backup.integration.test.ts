import { afterEach, describe, expect, it } from 'vitest';
import { lsnReached, pollUntil } from '@hotstandby/core';
import { createTestCluster, type TestCluster, rejectionOf } from '@hotstandby/testing';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { chown, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTablespace, PLUGINS as plugins, PREPARE } from './support/backup-cluster.js';

// The primary already keeps 1GB of WAL, so wal-config has nothing to change here (its reload path, and the race
// in it, are covered by wal-config's own tests).
const WAL_READY = { wal_keep_size: '1024' };

interface SlotRow {
  slot_name: string;
  slot_type: string;
  active: boolean;
  active_pid: number | null;
  restart_lsn: string | null;
}

async function slots(tc: TestCluster): Promise<SlotRow[]> {
  return tc.primary.node.query<SlotRow>('SELECT slot_name, slot_type, active, active_pid, restart_lsn::text FROM pg_replication_slots ORDER BY slot_name');
}

// Every path under a directory with its mode and owner.
async function tree(dir: string): Promise<{ path: string; dir: boolean; mode: number; uid: number }[]> {
  const out: { path: string; dir: boolean; mode: number; uid: number }[] = [];
  const walk = async (d: string) => {
    for (const name of await readdir(d)) {
      const p = path.join(d, name);
      const st = await lstat(p);
      if (st.isSymbolicLink()) continue;
      out.push({ path: p, dir: st.isDirectory(), mode: st.mode & 0o7777, uid: st.uid });
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out;
}

function partials(tc: TestCluster): Promise<string[]> {
  return readdir(tc.primary.dir).then((names) => names.filter((n) => n.includes('hotstandby-partial')));
}

describe('base-backup against a real PostgreSQL', () => {
  let tc: TestCluster | undefined;
  let receiver: ChildProcess | undefined;
  afterEach(async () => {
    if (receiver?.pid && receiver.exitCode === null) {
      const exited = new Promise((resolve) => receiver!.once('exit', resolve));
      receiver.kill('SIGTERM');
      await exited;
    }
    receiver = undefined;
    await tc?.cleanup();
    tc = undefined;
  });

  it.each(['pg_basebackup', 'copy'] as const)('makes a complete, unstarted copy through a slot created first (method %s)', async (method) => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method } } } });
    await tc.runSteps(PREPARE);
    await tc.primary.node.query('CREATE TABLE canary AS SELECT generate_series(1, 1000) AS n');
    const target = tc.spec.standbys[0]!.dataDir;

    const plan = await tc.planSteps(['base-backup']);
    const actions = plan[0]!.actions;
    expect(actions[0], 'the slot is created before the copy starts').toMatchObject({ kind: 'sql', node: 'primary', params: ['standby1'] });
    expect(actions[actions.length - 1]!.kind).toBe('task');
    expect(plan[0]!.lines.join('\n')).not.toContain(tc.replicationPassword);
    if (method === 'pg_basebackup') expect(plan[0]!.lines.join('\n')).toMatch(/--slot standby1/);

    await tc.runSteps(['base-backup']);

    const slot = (await slots(tc)).find((s) => s.slot_name === 'standby1');
    expect(slot).toMatchObject({ slot_type: 'physical', active: false });
    expect(slot!.restart_lsn, 'the slot holds WAL for the standby').not.toBeNull();

    const top = await lstat(target);
    expect(top.mode & 0o7777).toBe(0o700);
    expect(top.uid).toBe(tc.primary.serverUser.uid);
    const entries = await tree(target);
    expect(entries.length).toBeGreaterThan(50);
    expect(
      entries.filter((e) => e.uid !== tc!.primary.serverUser.uid).map((e) => e.path),
      'everything belongs to the server user',
    ).toEqual([]);
    expect(entries.filter((e) => (e.dir ? e.mode !== 0o700 : e.mode !== 0o600)).map((e) => `${e.path} ${e.mode.toString(8)}`)).toEqual([]);

    const names = await readdir(target);
    expect(names).not.toContain('postmaster.pid');
    expect(names).not.toContain('postmaster.opts');
    expect(names).not.toContain('standby.signal');
    expect(await readdir(path.join(target, 'pg_replslot'))).toEqual([]);
    expect(names, 'backup_label is there before the first start').toContain('backup_label');
    const label = await readFile(path.join(target, 'backup_label'), 'utf8');
    const start = /START WAL LOCATION: ([0-9A-F]+\/[0-9A-F]+)/.exec(label)?.[1];
    expect(start).toBeDefined();
    if (method === 'pg_basebackup' && tc.primary.binaries.major >= 130000) expect(names).toContain('backup_manifest');
    if (method === 'copy') {
      // pg_wal is not copied: the slot must still hold everything from the backup's start.
      expect(lsnReached(start!, slot!.restart_lsn!), `restart_lsn ${slot!.restart_lsn} <= backup start ${start}`).toBe(true);
      expect(await readdir(path.join(target, 'pg_wal')).then((n) => n.filter((x) => /^[0-9A-F]{24}$/.test(x)))).toEqual([]);
    }
    expect(await partials(tc)).toEqual([]);
    // The secret stays out of the copy.
    expect(await readFile(path.join(target, 'postgresql.auto.conf'), 'utf8')).not.toContain(tc.replicationPassword);

    const again = await tc.planSteps(['base-backup']);
    expect(again[0]!.actions).toEqual([]);
  });

  it('refuses a non-empty directory that holds no cluster before anything, and the canary survives', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    const target = tc.spec.standbys[0]!.dataDir;
    await mkdir(target, { mode: 0o755 });
    await writeFile(path.join(target, 'canary.txt'), 'do not delete me\n');

    const viaUp = await rejectionOf(tc.up());
    expect(viaUp.code).toBe('DATA_DIR_CONFLICT');
    expect(viaUp.message).toContain(target);
    expect(await tc.primary.node.queryOne("SELECT 1 FROM pg_roles WHERE rolname = 'repuser'"), 'up() changed nothing').toBeUndefined();

    await tc.runSteps(PREPARE);
    const error = await rejectionOf(tc.runSteps(['base-backup']));
    expect(error.code).toBe('DATA_DIR_CONFLICT');
    expect(error.where.node).toBe('standby1');
    expect(await readdir(target)).toEqual(['canary.txt']);
    expect(await readFile(path.join(target, 'canary.txt'), 'utf8')).toBe('do not delete me\n');
    expect(await slots(tc), 'no slot was created').toEqual([]);
    expect(await partials(tc)).toEqual([]);
  });

  it('refuses a slot of the same name that another client is using', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    await tc.runSteps(PREPARE);
    await tc.primary.node.query("SELECT pg_create_physical_replication_slot('standby1', true)");
    const walDir = path.join(tc.primary.dir, 'receivewal');
    await mkdir(walDir, { mode: 0o700 });
    await chown(walDir, tc.primary.serverUser.uid, tc.primary.serverUser.gid);
    const client = spawn(
      path.join(tc.primary.binaries.binDir, 'pg_receivewal'),
      ['-h', '127.0.0.1', '-p', String(tc.primary.port), '-U', 'postgres', '-S', 'standby1', '-D', walDir, '--no-password'],
      { uid: tc.primary.serverUser.uid, gid: tc.primary.serverUser.gid, env: { ...process.env, PGPASSWORD: tc.primary.superuserPassword }, stdio: 'ignore' },
    );
    receiver = client;
    const activePid = await pollUntil(
      async () => {
        if (client.exitCode !== null) throw new Error(`pg_receivewal exited with ${client.exitCode}`);
        const slot = (await slots(tc!)).find((s) => s.slot_name === 'standby1');
        return slot?.active ? slot.active_pid! : undefined;
      },
      { timeoutMs: 20_000, what: 'pg_receivewal to use the slot standby1' },
    );

    const error = await rejectionOf(tc.runSteps(['base-backup']));
    expect(error.code).toBe('DATA_DIR_CONFLICT');
    expect(error.message).toMatch(/standby1 .*in use/);
    expect(existsSync(tc.spec.standbys[0]!.dataDir)).toBe(false);
    expect(await partials(tc)).toEqual([]);
    expect((await slots(tc)).find((s) => s.slot_name === 'standby1')).toMatchObject({ active: true, active_pid: activePid });
  });

  it('reuses an inactive slot of the same name with a note', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'pg_basebackup' } } } });
    await tc.runSteps(PREPARE);
    await tc.primary.node.query("SELECT pg_create_physical_replication_slot('standby1', true)");
    const plan = await tc.planSteps(['base-backup']);
    expect(plan[0]!.actions.filter((a) => a.kind === 'sql')).toEqual([]);
    expect(plan[0]!.notes.join('\n')).toMatch(/reusing the existing inactive slot standby1/);
    await tc.runSteps(['base-backup']);
    expect(await readdir(tc.spec.standbys[0]!.dataDir)).toContain('backup_label');
  });

  it('refuses a slot of the same name, not made by the tool, that reserves no WAL (restart_lsn NULL)', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'copy' } } } });
    await tc.runSteps(PREPARE);
    // A slot made without reserving WAL, as pg_create_physical_replication_slot(name) does by default: the copy
    // (which has no pg_wal) could not start from it, and the tool does not drop a slot it did not create.
    await tc.primary.node.query("SELECT pg_create_physical_replication_slot('standby1')");
    expect((await slots(tc))[0]!.restart_lsn).toBeNull();

    const error = await rejectionOf(tc.runSteps(['base-backup']));
    expect(error.code).toBe('DATA_DIR_CONFLICT');
    expect(error.message).toMatch(/standby1 .*reserves no WAL/);
    expect(error.fix).toMatch(/pg_drop_replication_slot\('standby1'\)/);
    expect(existsSync(tc.spec.standbys[0]!.dataDir)).toBe(false);
    expect((await slots(tc)).find((s) => s.slot_name === 'standby1')!.restart_lsn).toBeNull();
  });

  it('removes a stale partial directory of an interrupted backup, and nothing else', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY });
    await tc.runSteps(PREPARE);
    const stale = path.join(tc.primary.dir, '.standby1.hotstandby-partial-0a1b2c');
    await mkdir(path.join(stale, 'base'), { recursive: true, mode: 0o700 });
    await writeFile(path.join(stale, 'PG_VERSION'), '15\n');
    const unrelated = path.join(tc.primary.dir, '.standby1-notes');
    await mkdir(unrelated);
    await writeFile(path.join(unrelated, 'keep.txt'), 'mine\n');

    await tc.runSteps(['base-backup']);
    expect(existsSync(stale)).toBe(false);
    expect(await partials(tc)).toEqual([]);
    expect(await readFile(path.join(unrelated, 'keep.txt'), 'utf8')).toBe('mine\n');
    expect(await readdir(tc.spec.standbys[0]!.dataDir)).toContain('backup_label');
  });

  it.each([
    ['normalises', '\uFB01x-\u2168'],
    ['refuses (an unassigned code point), so the raw password is hashed', '\uFB01\u0221'],
  ])('logs pg_basebackup in with a replication password SASLprep %s', async (_what, password) => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, replicationPassword: password, config: { steps: { 'base-backup': { method: 'pg_basebackup' } } } });
    await tc.runSteps([...PREPARE, 'base-backup']);
    expect(await readdir(tc.spec.standbys[0]!.dataDir)).toContain('backup_label');
  });

  it('removes a root-owned temp file a killed run left in the primary data directory, which the backup could not read', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'pg_basebackup' } } } });
    await tc.runSteps(PREPARE);
    // What a run killed right after opening its temp file for pg_hba.conf left: root's, mode 0600.
    const stale = path.join(tc.primary.node.dataDir, `.pg_hba.conf.hotstandby-${spawnSync('true').pid}-0a1b2c3d.tmp`);
    await writeFile(stale, 'host all all 127.0.0.1/32 scram-sha-256\n', { mode: 0o600 });

    await tc.runSteps(['base-backup']);
    expect(existsSync(stale)).toBe(false);
    expect(await readdir(tc.spec.standbys[0]!.dataDir)).toContain('backup_label');
  });

  it('reports BACKUP_FAILED and leaves no partial directory when pg_basebackup fails (wrong replication password)', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'pg_basebackup' } } } });
    await tc.runSteps(PREPARE);
    await tc.primary.node.query("ALTER ROLE repuser PASSWORD 'not-the-configured-one'");

    const error = await rejectionOf(tc.runSteps(['base-backup']));
    expect(error.code).toBe('BACKUP_FAILED');
    expect(error.where.node).toBe('standby1');
    expect(error.detail ?? '').toMatch(/password authentication failed for user "repuser"/);
    const said = [error.message, error.detail, error.fix].join('\n');
    expect(said).not.toContain(tc.replicationPassword);
    expect(said).not.toContain('not-the-configured-one');
    expect(existsSync(tc.spec.standbys[0]!.dataDir)).toBe(false);
    expect(await partials(tc)).toEqual([]);
    expect(await slots(tc), 'the slot made for the failed backup is dropped: it would keep WAL forever').toEqual([]);
  });

  it('drops the slot it made when the backup session is terminated on the primary', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'pg_basebackup', maxRate: '32k' } } } });
    await tc.runSteps(PREPARE);
    const outcome = rejectionOf(tc.runSteps(['base-backup']));
    const walsender = await pollUntil(
      async () =>
        (await tc!.primary.node.queryOne<{ pid: number }>("SELECT pid FROM pg_stat_replication WHERE application_name = 'hotstandby-standby1' AND state = 'backup'"))?.pid,
      { what: 'pg_basebackup to start sending the backup', timeoutMs: 60_000 },
    );
    await tc.primary.node.query('SELECT pg_terminate_backend($1)', [walsender]);

    const error = await outcome;
    expect(error.code).toBe('BACKUP_FAILED');
    expect(await slots(tc), 'the slot made for the failed backup is dropped').toEqual([]);
    expect(existsSync(tc.spec.standbys[0]!.dataDir)).toBe(false);
    expect(await partials(tc)).toEqual([]);
  });

  it('refuses a primary with a tablespace before it makes a slot or a partial copy', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'copy' } } } });
    await tc.runSteps(PREPARE);
    const location = path.join(tc.primary.dir, 'tablespace');
    await createTablespace(tc, location);

    const error = await rejectionOf(tc.runSteps(['base-backup']));
    expect(error.code).toBe('DATA_DIR_CONFLICT');
    expect(error.message).toMatch(/tablespace/);
    expect(await slots(tc), 'no slot is left for the refused backup').toEqual([]);
    expect(await partials(tc)).toEqual([]);
  });

  it('empties, but keeps, an existing empty target when pg_basebackup fails', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'pg_basebackup' } } } });
    await tc.runSteps(PREPARE);
    const target = tc.spec.standbys[0]!.dataDir;
    await mkdir(target, { mode: 0o700 });
    await chown(target, tc.primary.serverUser.uid, tc.primary.serverUser.gid);
    await tc.primary.node.query("ALTER ROLE repuser PASSWORD 'not-the-configured-one'");

    const error = await rejectionOf(tc.runSteps(['base-backup']));
    expect(error.code).toBe('BACKUP_FAILED');
    expect(existsSync(target)).toBe(true);
    expect(await readdir(target)).toEqual([]);
    expect(await partials(tc)).toEqual([]);
  });

  it('stops a running pg_basebackup on interrupt: ABORTED, the process gone, no partial copy left', async () => {
    // Throttled to pg_basebackup's minimum rate, the backup is certainly still running when the signal comes.
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'pg_basebackup', maxRate: '32k' } } } });
    await tc.runSteps(PREPARE);
    const interrupt = new AbortController();
    const running = tc.cluster.runSteps(['base-backup'], { renderer: 'silent', signal: interrupt.signal });
    const outcome = rejectionOf(running);
    await pollUntil(
      async () => (await tc!.primary.node.query("SELECT 1 FROM pg_stat_replication WHERE application_name = 'hotstandby-standby1' AND state = 'backup'")).length > 0 || undefined,
      { what: 'pg_basebackup to start sending the backup', timeoutMs: 60_000 },
    );
    interrupt.abort(new Error('interrupted'));

    const error = await outcome;
    expect(error.code).toBe('ABORTED');
    expect(error.message).toBe('pg_basebackup for standby1 was interrupted; the partial copy was removed');
    expect(error.where).toMatchObject({ step: 'base-backup', node: 'standby1' });
    await pollUntil(async () => (await tc!.primary.node.query('SELECT 1 FROM pg_stat_replication')).length === 0 || undefined, {
      what: 'the backup connection to go away',
      timeoutMs: 30_000,
    });
    expect(existsSync(tc.spec.standbys[0]!.dataDir)).toBe(false);
    expect(await partials(tc)).toEqual([]);
    expect(await slots(tc), 'the slot made for the interrupted backup is dropped').toEqual([]);
  });

  it('stops a low-level copy on interrupt: the backup is ended on the primary and no partial copy is left', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'copy' } } } });
    await tc.runSteps(PREPARE);
    const interrupt = new AbortController();
    // The interrupt comes the moment the partial directory appears, before the first file is copied.
    const watcher = watch(tc.primary.dir, (_event, name) => {
      if (name?.includes('hotstandby-partial')) interrupt.abort(new Error('interrupted'));
    });
    try {
      const error = await rejectionOf(tc.cluster.runSteps(['base-backup'], { renderer: 'silent', signal: interrupt.signal }));
      expect(error.code).toBe('ABORTED');
      expect(error.message).toBe('the copy of the data directory was interrupted; the partial copy was removed');
    } finally {
      watcher.close();
    }
    expect(existsSync(tc.spec.standbys[0]!.dataDir)).toBe(false);
    expect(await partials(tc)).toEqual([]);
    // The backup was stopped in its session: a new one can start at once.
    await tc.runSteps(['base-backup']);
    expect(await readdir(tc.spec.standbys[0]!.dataDir)).toContain('backup_label');
  });

  it('gives a pre-created empty target of mode 0755 the mode PostgreSQL requires, 0700', async () => {
    tc = await createTestCluster({ plugins, settings: WAL_READY, config: { steps: { 'base-backup': { method: 'pg_basebackup' } } } });
    await tc.runSteps(PREPARE);
    const target = tc.spec.standbys[0]!.dataDir;
    await mkdir(target, { mode: 0o755 });
    await chown(target, tc.primary.serverUser.uid, tc.primary.serverUser.gid);

    await tc.runSteps(['base-backup']);
    expect(await readdir(target)).toContain('backup_label');
    const st = await lstat(target);
    expect(st.mode & 0o7777, 'the server refuses to start in a group/world-readable data directory').toBe(0o700);
    expect(st.uid).toBe(tc.primary.serverUser.uid);
  });
});
