// An adopted primary's postgresql.conf may name its own files and directories (data_directory, hba_file,
// ident_file, external_pid_file, an absolute log_directory) or archive from standbys too (archive_mode = always).
// The base backup copies that file into each standby; there those lines must not point the standby at the
// primary's files: the standby's own copy has them commented out, and the primary's files are never touched.
// A per-node setting in a file hotstandby does not rewrite makes up refuse before changing anything.
import { existsSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { chownIfRoot } from '@hotstandby/core';
import { createTestPrimary } from '@hotstandby/testing';
import { describeRun } from './support/cli.js';
import { expectUserError, nodeNamed, statusOf } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { withClient } from './support/pg.js';
import { createProject, deferCleanup } from './support/project.js';
import { writeAdoptingConfig } from './support/adopted-primary.js';

async function primaryWithLines(lines: (p: { dir: string; dataDir: string }) => string[], extraFiles: Record<string, string> = {}) {
  const primary = await createTestPrimary({ stopped: true });
  deferCleanup(() => primary.cleanup());
  await appendFile(path.join(primary.dataDir, 'postgresql.conf'), ['', '# per-node settings of this server', ...lines(primary), ''].join('\n'));
  for (const [name, content] of Object.entries(extraFiles)) {
    await writeFile(path.join(primary.dataDir, name), content);
    await chownIfRoot(path.join(primary.dataDir, name), primary.serverUser.uid, primary.serverUser.gid);
  }
  await primary.node.start();
  return primary;
}

describe('per-node settings in an adopted primary', () => {
  test('the standby copy comments out the primary-only lines; the standby uses its own files; the primary files stay', async () => {
    const primary = await primaryWithLines(({ dir, dataDir }) => [
      `data_directory = '${dataDir}'`,
      `hba_file = '${path.join(dataDir, 'pg_hba.conf')}'`,
      `ident_file = '${path.join(dataDir, 'pg_ident.conf')}'`,
      `external_pid_file = '${path.join(dir, 'primary.pid')}'`,
      `log_directory = '${path.join(dir, 'primary-logs')}'`,
      'archive_mode = always',
      "archive_command = 'true'",
    ]);
    const primaryConf = path.join(primary.dataDir, 'postgresql.conf');
    const before = hashFiles([primaryConf]);
    const project = await createProject();
    await writeAdoptingConfig(project, primary, 'main');

    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(0);
    expect(hashFiles([primaryConf])).toEqual(before);

    const standbyDir = project.path('.hotstandby', 'data', 'standby1');
    const standbyConf = await readFile(path.join(standbyDir, 'postgresql.conf'), 'utf8');
    for (const name of ['data_directory', 'hba_file', 'ident_file', 'external_pid_file', 'log_directory', 'archive_mode']) {
      expect(standbyConf).toMatch(new RegExp(`^#hotstandby: ${name} = `, 'm'));
    }
    expect(standbyConf).toMatch(/^archive_command = 'true'$/m);
    const status = await statusOf(project);
    expect(nodeNamed(status, 'standby1')).toMatchObject({ state: 'streaming', inRecovery: true, upstream: 'main' });
    await withClient(nodeNamed(status, 'standby1').port, primary.superuserPassword, async (client) => {
      const { rows } = await client.query<{ name: string; setting: string }>(
        "SELECT name, setting FROM pg_settings WHERE name IN ('data_directory', 'hba_file', 'ident_file', 'external_pid_file', 'log_directory', 'archive_mode', 'port', 'cluster_name') ORDER BY name",
      );
      expect(Object.fromEntries(rows.map((r) => [r.name, r.setting]))).toEqual({
        archive_mode: 'off',
        cluster_name: 'standby1',
        data_directory: standbyDir,
        external_pid_file: '',
        hba_file: path.join(standbyDir, 'pg_hba.conf'),
        ident_file: path.join(standbyDir, 'pg_ident.conf'),
        log_directory: 'log',
        port: String(nodeNamed(status, 'standby1').port),
      });
    });
  });

  test('a per-node setting in an included file makes up refuse before changing anything, naming it and where it is', async () => {
    const primary = await primaryWithLines(() => ["include 'node.conf'"], { 'node.conf': "external_pid_file = '/tmp/primary-only.pid'\n" });
    const configFiles = ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'node.conf'].map((f) => path.join(primary.dataDir, f));
    const before = hashFiles(configFiles);
    const project = await createProject();
    await writeAdoptingConfig(project, primary, 'main');

    const up = await project.run(['up', '--plain']);
    expectUserError(up, ['external_pid_file', `${path.join(primary.dataDir, 'node.conf')}:1`]);
    expect(hashFiles(configFiles)).toEqual(before);
    expect(existsSync(project.path('.hotstandby', 'data', 'standby1'))).toBe(false);
    expect(listTree(project.dir)).toEqual(['hotstandby.config.json']);
  });
});
