// A primary with a tablespace at an absolute path on the same machine: without steps.base-backup.tablespaceMapping
// `up` refuses before any change; with it each standby gets its own copy of the tablespace in its mapped
// directory, the primary's tablespace directory is never touched, and rebuild, remove-standby --purge and
// down --purge remove the copy.
import { existsSync, statSync } from 'node:fs';
import { chown, mkdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { ids, ok, slotNames, upCluster, waitForStatus, waitReplayed } from './support/cluster-nodes.js';
import { expectUserError, nodeNamed } from './support/cluster-json.js';
import { hashFiles, listTree } from './support/files.js';
import { clusterConfig, createProject, freePorts } from './support/project.js';

const CONFIG = 'hotstandby.config.json';

describe('standbys of a primary with a tablespace', () => {
  test('are refused without a mapping, built into their own mapped directories with one, rebuilt, removed and purged with them', async () => {
    const project = await createProject();
    const primaryOnly = await clusterConfig({ standbys: [] });
    const cluster = await upCluster(project, primaryOnly);
    const primary = await cluster.client('primary');

    // A tablespace in a directory of the server user's, mode 0700, as an administrator makes one.
    const primaryDataDir = nodeNamed(await cluster.status(), 'primary').dataDir;
    const owner = statSync(primaryDataDir);
    const location = project.path('ts1');
    await mkdir(location, { mode: 0o700 });
    await chown(location, owner.uid, owner.gid);
    await primary.query(`CREATE TABLESPACE ts1 LOCATION '${location}'`);
    await primary.query('CREATE TABLE in_ts1 (id int) TABLESPACE ts1');
    await primary.query('INSERT INTO in_ts1 SELECT generate_series(1, 100)');
    // Hint bits and dirty buffers reach the files now, so the primary itself has no reason to write there later.
    await primary.query('SELECT count(*) FROM in_ts1');
    await primary.query('CHECKPOINT');
    const oid = (await primary.query<{ oid: number }>("SELECT oid FROM pg_tablespace WHERE spcname = 'ts1'")).rows[0]!.oid;
    const primaryTree = listTree(location);
    const primaryFiles = primaryTree.map((rel) => path.join(location, rel)).filter((file) => statSync(file).isFile());
    const primaryHashes = hashFiles(primaryFiles);

    const standbyDataDir = project.path('data-s1');
    const mapped = project.path('ts1-s1');
    const [standbyPort] = await freePorts(1);
    const withStandby = { ...primaryOnly, standbys: [{ name: 's1', port: standbyPort, dataDir: standbyDataDir }] };

    // Without a mapping: one message naming the tablespace, its directory and the option, and nothing made.
    await project.writeConfig(CONFIG, withStandby);
    const refused = await project.run(['up', '--plain'], { timeoutMs: 90_000 });
    expectUserError(refused, ['ts1', location, 's1', 'tablespaceMapping', '{node}']);
    expect(await slotNames(primary), describeRun(refused)).toEqual([]);
    expect(existsSync(standbyDataDir), describeRun(refused)).toBe(false);
    expect(existsSync(mapped), describeRun(refused)).toBe(false);

    // With the mapping: the standby's tablespace link points at its own directory, and the rows are there.
    await project.writeConfig(CONFIG, { ...withStandby, steps: { 'base-backup': { method: 'pg_basebackup', tablespaceMapping: { [location]: project.path('ts1-{node}') } } } });
    await ok(project, ['up', '--plain'], { timeoutMs: 120_000 });
    expect(await readlink(path.join(standbyDataDir, 'pg_tblspc', String(oid)))).toBe(mapped);
    expect(statSync(mapped).uid).toBe(owner.uid);
    expect(statSync(mapped).mode & 0o777).toBe(0o700);
    expect(listTree(mapped).length).toBeGreaterThan(0);
    expect(listTree(location), "the primary's tablespace directory holds what it held").toEqual(primaryTree);
    expect(hashFiles(primaryFiles), "the primary's tablespace files are byte for byte as they were").toEqual(primaryHashes);
    await waitForStatus(cluster, 's1 to stream', (s) => nodeNamed(s, 's1').state === 'streaming');
    const s1 = await cluster.client('s1');
    expect((await ids(s1, 'in_ts1')).length).toBe(100);
    await primary.query('INSERT INTO in_ts1 SELECT generate_series(101, 150)');
    await waitReplayed(primary, s1, 's1');
    expect((await ids(s1, 'in_ts1')).length).toBe(150);
    await s1.end();

    // add-standby takes the same mapping ({node} gives s2 its own directory); remove-standby --purge deletes it.
    const [s2Port] = await freePorts(1);
    await ok(project, ['add-standby', 's2', '--port', String(s2Port), '--plain'], { timeoutMs: 120_000 });
    const s2Dir = nodeNamed(await cluster.status(), 's2').dataDir;
    const s2Mapped = project.path('ts1-s2');
    expect(await readlink(path.join(s2Dir, 'pg_tblspc', String(oid)))).toBe(s2Mapped);
    const s2 = await cluster.client('s2');
    await waitReplayed(primary, s2, 's2');
    expect((await ids(s2, 'in_ts1')).length).toBe(150);
    await s2.end();
    const removed = await ok(project, ['remove-standby', 's2', '--purge']);
    expect(existsSync(s2Mapped), describeRun(removed)).toBe(false);
    expect(existsSync(s2Dir), describeRun(removed)).toBe(false);
    expect(existsSync(mapped), "s1's tablespace directory stays").toBe(true);

    // rebuild throws the copy away with its tablespace directory and takes a new base backup into both.
    await ok(project, ['rebuild', 's1', '--plain'], { timeoutMs: 120_000 });
    expect(await readlink(path.join(standbyDataDir, 'pg_tblspc', String(oid)))).toBe(mapped);
    await waitForStatus(cluster, 's1 to stream again', (s) => nodeNamed(s, 's1').state === 'streaming');
    const rebuilt = await cluster.client('s1');
    await waitReplayed(primary, rebuilt, 's1 after rebuild');
    expect((await ids(rebuilt, 'in_ts1')).length).toBe(150);
    await rebuilt.end();
    await primary.end();

    // down --purge deletes the tablespace directory the tool made, and never the primary's, which the user made.
    await ok(project, ['down', '--purge'], { timeoutMs: 60_000 });
    expect(existsSync(mapped)).toBe(false);
    expect(existsSync(location)).toBe(true);
  });
});
