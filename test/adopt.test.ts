// Adopting a PostgreSQL the user already runs: `up` keeps the user's lines and comments and builds a verified
// standby; `down --purge --restore` puts the primary back byte for byte and leaves it running.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createUsersPrimary, rolesAndSlots, USER_CONF_LINES, USER_HBA_LINES, writeAdoptingConfig } from './support/adopted-primary.js';
import { describeRun } from './support/cli.js';
import { nodeNamed, statusOf, verifyOf } from './support/cluster-json.js';
import { fileFacts, hashFiles, listTree, sha256File } from './support/files.js';
import { withClient, waitForReplay } from './support/pg.js';
import { postmastersUnder } from './support/processes.js';
import { createProject } from './support/project.js';

describe('adopting an existing primary', () => {
  test("up adopts it and keeps the user's lines; down --purge --restore restores every file, drops role and slot, keeps the primary", async () => {
    const users = await createUsersPrimary();
    const { primary } = users;
    const project = await createProject();
    await writeAdoptingConfig(project, primary, 'mine');

    const up = await project.run(['up']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout).toMatch(/adopting the existing PostgreSQL/);
    expect(up.stdout).not.toContain(primary.superuserPassword);

    // The user's lines and comments are still there, in order; what hotstandby added is on top of them.
    const conf = readFileSync(path.join(primary.dataDir, 'postgresql.conf'), 'utf8');
    expect(conf).toContain(USER_CONF_LINES);
    for (const untouched of ['postgresql.conf', 'pg_ident.conf'].map((f) => path.join(primary.dataDir, f))) {
      expect(sha256File(untouched), `${untouched} is not hotstandby's to edit`).toBe(users.hashes[untouched]);
    }
    const hba = readFileSync(path.join(primary.dataDir, 'pg_hba.conf'), 'utf8');
    expect(hba).toContain(USER_HBA_LINES);
    const hbaBefore = users.contents[path.join(primary.dataDir, 'pg_hba.conf')]!;
    expect(isSubsequence(hbaBefore.split('\n'), hba.split('\n')), 'every original pg_hba.conf line is kept, in order').toBe(true);
    expect(withoutManagedBlock(hba), "pg_hba.conf minus the marked hotstandby block is the user's file, byte for byte").toBe(hbaBefore);
    expect(hba).toMatch(/^host\s+replication\s+"?repuser"?\s+127\.0\.0\.1\/32\s+scram-sha-256/m);
    const autoConf = readFileSync(path.join(primary.dataDir, 'postgresql.auto.conf'), 'utf8');
    expect(autoConf).toContain(`port = '${primary.port}'`);
    expect(autoConf).toContain("fsync = 'off'");
    // Modes and owners of the edited files are the user's.
    for (const file of users.configFiles) expect(fileFacts(file), file).toMatchObject({ mode: users.facts[file]!.mode, uid: users.facts[file]!.uid, gid: users.facts[file]!.gid });

    const status = await statusOf(project);
    const mine = nodeNamed(status, 'mine');
    const standby = nodeNamed(status, 'standby1');
    expect(mine).toMatchObject({ role: 'primary', port: primary.port, dataDir: primary.dataDir, running: true, inRecovery: false, adopted: true });
    expect(standby).toMatchObject({ role: 'standby', running: true, inRecovery: true, upstream: 'mine', dataDir: project.path('.hotstandby', 'data', 'standby1') });
    const verify = await verifyOf(project);
    expect(verify.result.code, describeRun(verify.result)).toBe(0);
    expect(verify.report.ok).toBe(true);
    expect(await rolesAndSlots(primary)).toEqual({ roles: ['repuser'], slots: ['standby1'] });

    // The standby really streams from the user's server.
    await withClient(primary.port, primary.superuserPassword, async (p) => {
      await withClient(standby.port, primary.superuserPassword, async (s) => {
        await p.query("CREATE TABLE e2e_adopt (v text); INSERT INTO e2e_adopt VALUES ('hello')");
        await waitForReplay(p, s);
        expect((await s.query('SELECT v FROM e2e_adopt')).rows).toEqual([{ v: 'hello' }]);
        await p.query('DROP TABLE e2e_adopt');
      });
    });

    // down --purge --restore
    const down = await project.run(['down', '--purge', '--restore']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(hashFiles(users.configFiles), 'every config file of the adopted primary is back byte for byte').toEqual(users.hashes);
    for (const file of users.configFiles) expect(fileFacts(file), file).toMatchObject({ mode: users.facts[file]!.mode, uid: users.facts[file]!.uid, gid: users.facts[file]!.gid });
    expect(await rolesAndSlots(primary)).toEqual({ roles: [], slots: [] });
    // The primary still runs and is the user's again; only the standby and the state are gone.
    expect(postmastersUnder(primary.dataDir)).toHaveLength(1);
    await withClient(primary.port, primary.superuserPassword, async (client) => {
      expect((await client.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(false);
      expect((await client.query("SELECT setting FROM pg_settings WHERE name = 'wal_keep_size'")).rows[0].setting).toBe('0');
    });
    expect(existsSync(path.join(primary.dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(project.path('.hotstandby'))).toBe(false);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
    expect(postmastersUnder(project.dir)).toEqual([]);
  });
});

// True when every item of sub appears in all, in the same order.
function isSubsequence(sub: readonly string[], all: readonly string[]): boolean {
  let i = 0;
  for (const line of all) if (i < sub.length && line === sub[i]) i++;
  return i === sub.length;
}

// pg_hba.conf without the block hotstandby manages ("# BEGIN hotstandby..." through "# END hotstandby").
function withoutManagedBlock(text: string): string {
  return text.replace(/^# BEGIN hotstandby\b[^\n]*\n(?:[^\n]*\n)*?# END hotstandby[^\n]*\n/m, '');
}
