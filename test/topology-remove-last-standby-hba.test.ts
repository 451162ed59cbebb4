// The replication rule hotstandby puts into the primary's pg_hba.conf serves its standbys: once remove-standby
// takes the last one out, the rule goes too (and the primary reloads), while every line of the user's stays;
// add-standby puts it back.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { HBA_BLOCK_BEGIN, HBA_BLOCK_END } from '@hotstandby/core';
import { describeRun } from './support/cli.js';
import { ok, show, upCluster } from './support/cluster-nodes.js';
import { clusterConfig, createProject } from './support/project.js';

function withoutBlock(text: string): string {
  const lines = text.split('\n');
  const begin = lines.indexOf(HBA_BLOCK_BEGIN);
  const end = lines.indexOf(HBA_BLOCK_END);
  return [...lines.slice(0, begin), ...lines.slice(end + 1)].join('\n');
}

describe('the replication rule in pg_hba.conf after the last standby is removed', () => {
  test('remove-standby of the last standby removes the rule and reloads; the user lines stay; add-standby restores it', async () => {
    const project = await createProject();
    const cluster = await upCluster(project, await clusterConfig({ primaryName: 'main', standbys: ['only'] }));
    const main = await cluster.client('main');
    const hbaFile = await show(main, 'hba_file');
    const withRule = readFileSync(hbaFile, 'utf8');
    expect(withRule).toContain(HBA_BLOCK_BEGIN);
    const ruleCount = async () => Number((await main.query<{ n: string }>("SELECT count(*) AS n FROM pg_hba_file_rules WHERE 'repuser' = ANY(user_name)")).rows[0]!.n);
    expect(await ruleCount()).toBeGreaterThan(0);

    const remove = await ok(project, ['remove-standby', 'only']);
    expect(remove.stdout, describeRun(remove)).toMatch(/removed hotstandby's replication rule from .*pg_hba.conf/);
    const after = readFileSync(hbaFile, 'utf8');
    expect(after, describeRun(remove)).not.toContain(HBA_BLOCK_BEGIN);
    expect(after).toBe(withoutBlock(withRule));
    // The primary re-read the file: no rule of the replication role is in force any more.
    expect(await ruleCount()).toBe(0);

    const add = await ok(project, ['add-standby', 'again', '--plain']);
    expect(readFileSync(hbaFile, 'utf8'), describeRun(add)).toBe(withRule);
    expect(add.stdout).toMatch(/again is streaming/);
  });
});
