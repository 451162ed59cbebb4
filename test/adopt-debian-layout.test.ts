// Adopting a PostgreSQL laid out the Debian/Ubuntu way: postgresql.conf, pg_hba.conf and pg_ident.conf in a
// separate directory (like /etc/postgresql/15/main), the server started with pg_ctl -D <that directory>.
// A base backup copies only the data directory, so the standby must get its own copies of those files.
import { mkdir, rename, writeFile, appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { chownIfRoot, runProgram } from '@hotstandby/core';
import { createTestPrimary } from '@hotstandby/testing';
import { describeRun } from './support/cli.js';
import { nodeNamed, statusOf } from './support/cluster-json.js';
import { hashFiles } from './support/files.js';
import { withClient } from './support/pg.js';
import { createProject, deferCleanup } from './support/project.js';
import { writeAdoptingConfig } from './support/adopted-primary.js';

describe('adopting a primary whose configuration lives outside its data directory', () => {
  test('up finds the files the server reads, gives the standby its own copies, restarts through the config directory, and --restore puts them back', async () => {
    const primary = await createTestPrimary({ stopped: true });
    deferCleanup(() => primary.cleanup());
    const etc = path.join(primary.dir, 'etc');
    await mkdir(path.join(etc, 'conf.d'), { recursive: true });
    for (const file of ['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf']) await rename(path.join(primary.dataDir, file), path.join(etc, file));
    await appendFile(
      path.join(etc, 'postgresql.conf'),
      [
        '',
        '# Debian-style: the data lives elsewhere',
        `data_directory = '${primary.dataDir}'`,
        `hba_file = '${path.join(etc, 'pg_hba.conf')}'`,
        `ident_file = '${path.join(etc, 'pg_ident.conf')}'`,
        `external_pid_file = '${path.join(primary.dir, 'primary.pid')}'`,
        "include_dir = 'conf.d'",
        '',
      ].join('\n'),
    );
    await writeFile(path.join(etc, 'conf.d', 'tuning.conf'), "work_mem = '8MB'\n");
    for (const p of [etc, path.join(etc, 'conf.d'), ...['postgresql.conf', 'pg_hba.conf', 'pg_ident.conf', 'conf.d/tuning.conf'].map((f) => path.join(etc, f))]) {
      await chownIfRoot(p, primary.serverUser.uid, primary.serverUser.gid);
    }
    await runProgram(path.join(primary.binaries.binDir, 'pg_ctl'), ['start', '-D', etc, '-l', path.join(primary.dir, 'primary.log'), '-w', '-s'], {
      user: primary.serverUser,
      detached: true,
    });
    deferCleanup(async () => {
      await runProgram(path.join(primary.binaries.binDir, 'pg_ctl'), ['stop', '-D', etc, '-m', 'immediate', '-s'], { user: primary.serverUser }).catch(() => undefined);
    });
    const userFiles = [path.join(etc, 'postgresql.conf'), path.join(etc, 'pg_hba.conf'), path.join(etc, 'pg_ident.conf'), path.join(primary.dataDir, 'postgresql.auto.conf')];
    const before = hashFiles(userFiles);

    const project = await createProject();
    const config = await writeAdoptingConfig(project, primary, 'main');
    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(0);

    // The primary's rule went into the hba_file it really reads; its postgresql.conf was not touched.
    expect(await readFile(path.join(etc, 'pg_hba.conf'), 'utf8')).toMatch(/^host\s+replication\s+"repuser"/m);
    expect(hashFiles([path.join(etc, 'postgresql.conf')])).toEqual({ [path.join(etc, 'postgresql.conf')]: before[path.join(etc, 'postgresql.conf')] });

    // The standby got its own copies: the upstream's own-file settings commented out, includes absolute.
    const standbyDir = project.path('.hotstandby', 'data', 'standby1');
    const standbyConf = await readFile(path.join(standbyDir, 'postgresql.conf'), 'utf8');
    expect(standbyConf).toMatch(/^#hotstandby: data_directory = /m);
    expect(standbyConf).toMatch(/^#hotstandby: external_pid_file = /m);
    expect(standbyConf).toContain(`include_dir = '${path.join(etc, 'conf.d')}'`);
    expect(await readFile(path.join(standbyDir, 'pg_hba.conf'), 'utf8')).toMatch(/^host\s+replication\s+"repuser"/m);
    const status = await statusOf(project);
    expect(nodeNamed(status, 'standby1')).toMatchObject({ state: 'streaming', inRecovery: true, upstream: 'main' });
    const standbyPort = nodeNamed(status, 'standby1').port;
    await withClient(standbyPort, primary.superuserPassword, async (client) => {
      expect((await client.query("SELECT current_setting('work_mem') AS w, current_setting('data_directory') AS d")).rows[0]).toEqual({ w: '8MB', d: standbyDir });
    });

    // A restart-only change (archive_mode) restarts the primary through its config directory.
    config.archive = true;
    await project.writeConfig('hotstandby.config.json', config);
    const again = await project.run(['up', '--plain', '--allow-restart']);
    expect(again.code, describeRun(again)).toBe(0);
    await withClient(primary.port, primary.superuserPassword, async (client) => {
      expect((await client.query('SHOW archive_mode')).rows[0]).toEqual({ archive_mode: 'on' });
    });

    const down = await project.run(['down', '--purge', '--restore']);
    expect(down.code, describeRun(down)).toBe(0);
    expect(hashFiles(userFiles)).toEqual(before);
  });
});
