// Adopting a primary that cannot serve the run as configured: `up` refuses with one message (what, where, how to
// fix), exits 1, and changes nothing on the user's server: no role, no slot, no edited file, no new directory.
import { execFileSync } from 'node:child_process';
import { chown, mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, rolesAndSlots, type UsersPrimary } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { clusterConfig, createProject, deferCleanup, type Project } from './support/project.js';

const CONFIG = 'hotstandby.config.json';

// A project whose config adopts the user's primary (with the given extra config on top).
async function adoptingProject(users: UsersPrimary, extra: Record<string, unknown> = {}): Promise<Project> {
  const project = await createProject();
  const config = await clusterConfig({ superuser: { password: users.primary.superuserPassword }, ...extra });
  config.primary = { name: 'mine', dataDir: users.primary.dataDir };
  await project.writeConfig(CONFIG, config);
  return project;
}

// Run SQL on the user's primary as its superuser.
async function onPrimary(users: UsersPrimary, sql: string): Promise<void> {
  await withClient(users.primary.port, users.primary.superuserPassword, async (client) => {
    await client.query(sql);
  });
}

// `up` failed as a user error naming every fragment, and left the user's server and the project as they were.
async function expectRefusedUnchanged(project: Project, users: UsersPrimary, mentions: (string | RegExp)[], roles: string[] = []): Promise<void> {
  const before = listTree(project.dir);
  const result = await project.run(['up'], { timeoutMs: 90_000 });
  expectUserError(result, mentions);
  expect(hashFiles(users.configFiles), `no config file of the primary may change\n${describeRun(result)}`).toEqual(users.hashes);
  expect(await rolesAndSlots(users.primary), describeRun(result)).toEqual({ roles, slots: [] });
  expect(listTree(project.dir), describeRun(result)).toEqual(before);
}

describe('adopting a primary that cannot serve the run', () => {
  test('a configured superuser that is no superuser is named, and the command exits instead of hanging', async () => {
    const users = await createUsersPrimary();
    await onPrimary(users, "CREATE ROLE notsuper LOGIN PASSWORD 'not-super-pw'");
    const project = await adoptingProject(users, { superuser: { name: 'notsuper', password: 'not-super-pw' } });
    await expectRefusedUnchanged(project, users, ['notsuper', /superuser/]);
  });

  test('every WAL sender busy: refused naming max_wal_senders, how many are in use and how many the run needs', async () => {
    const users = await createUsersPrimary();
    const senders: pg.Client[] = [];
    try {
      // max_wal_senders is 10 by default: ten replication connections leave none for the base backup.
      for (let i = 0; i < 10; i++) {
        const client = new pg.Client({
          host: '127.0.0.1',
          port: users.primary.port,
          user: 'postgres',
          password: users.primary.superuserPassword,
          database: 'postgres',
          replication: 'true',
        } as pg.ClientConfig);
        await client.connect();
        senders.push(client);
      }
      const project = await adoptingProject(users);
      await expectRefusedUnchanged(project, users, ['max_wal_senders', 'mine', '10 in use', 'needs 2 more', 'pg_stat_replication']);
    } finally {
      await Promise.all(senders.map((c) => c.end().catch(() => undefined)));
    }
  });

  test('every replication slot taken: refused naming max_replication_slots and the slots the run needs', async () => {
    const users = await createUsersPrimary();
    await onPrimary(users, "SELECT pg_create_physical_replication_slot('users_slot_' || i) FROM generate_series(1, 10) AS i");
    const project = await adoptingProject(users);
    const result = await project.run(['up'], { timeoutMs: 90_000 });
    expectUserError(result, ['max_replication_slots', 'mine', '10 in use', 'needs 1 more', 'standby1']);
    expect(hashFiles(users.configFiles), describeRun(result)).toEqual(users.hashes);
    const { roles, slots } = await rolesAndSlots(users.primary);
    expect({ roles, slots: slots.filter((s) => !s.startsWith('users_slot_')) }, describeRun(result)).toEqual({ roles: [], slots: [] });
    expect(listTree(project.dir)).toEqual([CONFIG]);
  });

  test('a primary with a tablespace: refused naming the tablespace, its directory and what to do', async () => {
    const users = await createUsersPrimary();
    const location = path.join(users.primary.dir, 'users_space');
    await mkdir(location, { mode: 0o700 });
    await chown(location, users.primary.serverUser.uid, users.primary.serverUser.gid);
    await onPrimary(users, `CREATE TABLESPACE users_space LOCATION '${location}'`);
    const project = await adoptingProject(users);
    await expectRefusedUnchanged(project, users, ['users_space', location, 'standby1', 'DROP TABLESPACE', '--tablespace-mapping']);
    await onPrimary(users, 'DROP TABLESPACE users_space');
  });

  test('too little free space for the standby: refused naming both sizes before anything is made', async () => {
    const users = await createUsersPrimary();
    const project = await createProject();
    const small = project.path('small');
    await mkdir(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0755', 'hotstandby-test', small]);
    deferCleanup(async () => {
      execFileSync('umount', [small]);
    });
    const config = await clusterConfig({ superuser: { password: users.primary.superuserPassword } });
    config.primary = { name: 'mine', dataDir: users.primary.dataDir };
    (config.standbys as Record<string, unknown>[])[0]!.dataDir = './small/standby1';
    await project.writeConfig(CONFIG, config);
    await expectRefusedUnchanged(project, users, [/needs about \d+\.\d MB/, /only \d+\.\d kB is free at /, small, 'standby1']);
  });

  test.each(['pg_hba.conf', 'postgresql.auto.conf'])('an immutable %s: refused naming the file and the fix before the role is created', async (name) => {
    const users = await createUsersPrimary();
    const file = path.join(users.primary.dataDir, name);
    execFileSync('chattr', ['+i', file]);
    deferCleanup(async () => {
      execFileSync('chattr', ['-i', file]);
    });
    const project = await adoptingProject(users);
    await expectRefusedUnchanged(project, users, [file, 'read-only or immutable', `chattr -i ${file}`]);
  });
});
