// PostgreSQL 12+ refuses to start with a recovery.conf in its data directory. A leftover one in a standby's data
// directory is migrated when up writes the standby's configuration: its settings move into the tool's place
// (postgresql.auto.conf), obsolete ones are dropped, the file is kept aside as a backup, and up says so.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { ok, show, upCluster, waitReplayed } from './support/cluster-nodes.js';
import { fileFacts } from './support/files.js';
import { clusterConfig, createProject } from './support/project.js';

const LEFTOVER = ['# left from PostgreSQL 11', "standby_mode = 'on'", "primary_conninfo = 'host=127.0.0.1 port=1 user=nobody'", "archive_cleanup_command = 'true'", ''].join('\n');

describe('a leftover recovery.conf in a standby of PostgreSQL 12+', () => {
  test('up migrates it into postgresql.auto.conf, keeps the file aside, says so, and the standby streams', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['replica'] }));
    const node = await cluster.node('replica');
    await ok(project, ['stop', 'replica']);
    const recoveryConf = path.join(node.dataDir, 'recovery.conf');
    await writeFile(recoveryConf, LEFTOVER, { mode: 0o600 });
    const owner = fileFacts(path.join(node.dataDir, 'PG_VERSION'));
    await chown(recoveryConf, owner.uid, owner.gid);

    const up = await ok(project, ['up', '--plain']);
    expect(up.stdout, describeRun(up)).toMatch(/recovery\.conf/);
    expect(existsSync(recoveryConf)).toBe(false);
    const aside = readdirSync(node.dataDir).filter((f) => f.startsWith('recovery.conf.'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(node.dataDir, aside[0]!), 'utf8')).toBe(LEFTOVER);
    expect(up.stdout).toContain(aside[0]!);

    const replica = await cluster.client('replica');
    expect(await show(replica, 'archive_cleanup_command')).toBe('true');
    // The tool's own connection settings win over the leftover's.
    expect(await show(replica, 'primary_conninfo')).not.toContain('port=1 ');
    const main = await cluster.client('main');
    await main.query('CREATE TABLE leftover_probe (id int)');
    await waitReplayed(main, replica, 'replica');
  });
});
