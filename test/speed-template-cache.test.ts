// A new primary is a copy of the per-user initdb template (with its own system identifier and password), not a
// fresh initdb; --no-cache runs initdb; `cache clear` empties the cache. Each test has its own cache directory.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readSystemIdentifier } from '@hotstandby/core';
import { describeRun } from './support/cli.js';
import { nodeNamed } from './support/cluster-json.js';
import { statusOf } from './support/cluster-json.js';
import { clusterConfig, createProject } from './support/project.js';

describe('new primaries from the initdb template cache', () => {
  test('two clusters created one after the other from one cache have different system identifiers, and both verify', async () => {
    const first = await createProject();
    const cacheDir = first.path('cache');
    const env = { HOTSTANDBY_CACHE_DIR: cacheDir };
    const second = await createProject();
    const identifiers: string[] = [];
    for (const project of [first, second]) {
      await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: ['standby1'] }));
      const up = await project.run(['up', '--plain'], { env, timeoutMs: 240_000 });
      expect(up.code, describeRun(up)).toBe(0);
      expect(up.stdout, describeRun(up)).toMatch(/copied the initdb template; system identifier \d+/);
      expect(up.stdout, describeRun(up)).toMatch(/verify/);
      const status = await statusOf(project);
      const primary = await readSystemIdentifier(nodeNamed(status, 'primary').dataDir);
      // The standby is a copy of its own primary, so it shares that primary's identifier.
      expect(await readSystemIdentifier(nodeNamed(status, 'standby1').dataDir)).toBe(primary);
      identifiers.push(primary!);
    }
    expect(identifiers[0]).not.toBe(identifiers[1]);
    // One entry in the cache, built by the first up and copied by the second.
    expect(readdirSync(`${cacheDir}/templates`).filter((n) => !n.startsWith('.'))).toHaveLength(1);
  });

  test('--dry-run names the template, --no-cache runs initdb and leaves the cache alone, cache clear empties it', async () => {
    const project = await createProject();
    const env = { HOTSTANDBY_CACHE_DIR: project.path('cache') };
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: [] }));
    const dry = await project.run(['up', '--dry-run'], { env });
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(dry.stdout, describeRun(dry)).toMatch(/initdb once into the template cache .*cache\/templates, then a copy of it with its own system identifier/);
    expect(existsSync(project.path('cache')), 'a dry run builds no template').toBe(false);

    const up = await project.run(['up', '--plain', '--no-cache'], { env, timeoutMs: 240_000 });
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout).not.toMatch(/initdb template/);
    expect(existsSync(project.path('cache'))).toBe(false);

    const build = await createProject();
    await build.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: [] }));
    expect((await build.run(['up', '--plain'], { env, timeoutMs: 240_000 })).code).toBe(0);
    expect(readdirSync(project.path('cache', 'templates'))).toHaveLength(1);
    const clear = await project.run(['cache', 'clear'], { env });
    expect(clear.code, describeRun(clear)).toBe(0);
    expect(clear.stdout).toMatch(/Removed 1 initdb template/);
    expect(readdirSync(project.path('cache', 'templates'))).toEqual([]);
  });
});
