// `up --dry-run` prints every SQL statement (secrets hidden), file change (as a diff) and command it would run,
// exits 0, and changes nothing: not in the project directory, not on an existing primary.
import { createTestPrimary } from '@hotstandby/testing';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { hashFiles, listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';

// A SCRAM verifier as PostgreSQL stores it; it must never be printed.
const SCRAM_VERIFIER = /SCRAM-SHA-256\$\d+:/;

describe('up --dry-run', () => {
  test('in a fresh directory with no config: prints SQL, file changes and commands, creates nothing', async () => {
    const project = await createProject();
    const result = await project.run(['up', '--dry-run']);
    const context = describeRun(result);
    expect(result.code, context).toBe(0);
    expect(result.stdout, context).toContain('nothing will be changed');
    // SQL, with the password verifier hidden
    expect(result.stdout, context).toMatch(/CREATE ROLE "repuser" WITH LOGIN REPLICATION/);
    expect(result.stdout, context).toMatch(/PASSWORD '<[^'>]+>'/);
    expect(result.stdout, context).not.toMatch(SCRAM_VERIFIER);
    expect(result.stdout, context).toMatch(/pg_create_physical_replication_slot/);
    // commands
    expect(result.stdout, context).toMatch(/\binitdb -D \S+\.hotstandby\/data\/master\b/);
    expect(result.stdout, context).toMatch(/\bpg_basebackup --pgdata \S+\.hotstandby\/data\/slave1\b/);
    // the file changes: the pg_hba rule, the standby's files
    expect(result.stdout, context).toMatch(/host\s+replication\s+"repuser"\s+127\.0\.0\.1\/32\s+scram-sha-256/);
    expect(result.stdout, context).toContain('standby.signal');
    // work that is no action of a plan is described: verify's checks, the standby's files before its backup exists
    expect(result.stdout, context).toMatch(/verify slave1\n\s+write a marker row on the primary/);
    expect(result.stdout, context).toContain('make the base backup a hot standby');
    // nothing created
    expect(listTree(project.dir)).toEqual([]);
  });

  test('in a fresh directory: file changes are shown as unified diffs (---/+++)', async () => {
    const project = await createProject();
    const result = await project.run(['up', '--dry-run']);
    const context = describeRun(result);
    expect(result.code, context).toBe(0);
    // The primary's pg_hba.conf and postgresql.auto.conf (and the standby's) change; the issue asks for every
    // file change as a diff, so at least one "+++ <file>" header and added lines must be printed.
    expect(result.stdout, context).toMatch(/^\s*\+\+\+ \S+(pg_hba|postgresql\.auto)\.conf/m);
    expect(result.stdout, context).toMatch(/^\s*\+host\s+replication\s+"repuser"/m);
    expect(listTree(project.dir)).toEqual([]);
  });

  test('with an explicit config for a new cluster: paths from the config, nothing created', async () => {
    const project = await createProject();
    const config = await clusterConfig({ archive: { dir: './archive' } });
    (config.primary as Record<string, unknown>).dataDir = './pg/primary';
    await project.writeConfig('sub/cluster.json', config);
    const result = await project.run(['--config', 'sub/cluster.json', 'up', '--dry-run']);
    const context = describeRun(result);
    expect(result.code, context).toBe(0);
    expect(result.stdout, context).toContain(`Dry run for ${project.path('sub', 'cluster.json')}`);
    expect(result.stdout, context).toContain(`initdb -D ${project.path('sub', 'pg', 'primary')} `);
    expect(result.stdout, context).toContain(`pg_basebackup --pgdata ${project.path('sub', '.hotstandby', 'data', 'standby1')} `);
    expect(result.stdout, context).toContain(project.path('sub', 'archive'));
    expect(result.stdout, context).toMatch(/CREATE ROLE "repuser"/);
    expect(result.stdout, context).not.toMatch(SCRAM_VERIFIER);
    expect(listTree(project.dir)).toEqual(['sub', 'sub/cluster.json']);
  });

  test('with an explicit config around an existing primary: diffs of its files, and neither the files nor the server change', async () => {
    const primary = await createTestPrimary();
    deferCleanup(() => primary.cleanup());
    const project = await createProject();
    const config = await clusterConfig({ superuser: { password: primary.superuserPassword } });
    (config.primary as Record<string, unknown>).port = primary.port;
    (config.primary as Record<string, unknown>).dataDir = primary.dataDir;
    await project.writeConfig('cluster.json', config);
    const files = ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'pg_ident.conf'].map((f) => path.join(primary.dataDir, f));
    const before = hashFiles(files);

    const result = await project.run(['--config', 'cluster.json', 'up', '--dry-run']);
    const context = describeRun(result);
    expect(result.code, context).toBe(0);
    expect(result.stdout, context).toContain(`Dry run for ${project.path('cluster.json')}`);
    expect(result.stdout, context).toMatch(/CREATE ROLE "repuser"/);
    expect(result.stdout, context).not.toMatch(SCRAM_VERIFIER);
    expect(result.stdout, context).not.toContain(primary.superuserPassword);
    // pg_hba.conf as a unified diff that adds the replication rule
    expect(result.stdout, context).toContain(`+++ ${path.join(primary.dataDir, 'pg_hba.conf')}`);
    expect(result.stdout, context).toMatch(/^\s*\+host\s+replication\s+"repuser"\s+127\.0\.0\.1\/32\s+scram-sha-256/m);
    expect(result.stdout, context).toMatch(/\bpg_basebackup\b.*--slot standby1\b/);

    // Nothing changed: the project holds only the config, the primary's files are byte-identical,
    // and neither the role nor the slot exists.
    expect(listTree(project.dir)).toEqual(['cluster.json']);
    expect(hashFiles(files)).toEqual(before);
    await withClient(primary.port, primary.superuserPassword, async (client) => {
      expect((await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'repuser'")).rowCount).toBe(0);
      expect((await client.query('SELECT 1 FROM pg_replication_slots')).rowCount).toBe(0);
    });
  });
});
