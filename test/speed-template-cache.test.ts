// A new primary is a copy of the per-user initdb template (with its own system identifier and password), not a
// fresh initdb; --no-cache runs initdb; `cache clear` empties the cache. Each test has its own cache directory.
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
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

  test("a cp that is not GNU coreutils' is not used: Node copies the template file by file", async () => {
    const project = await createProject();
    // First on the PATH: a cp that answers --version as another cp would, and fails any copy it is asked for.
    const fakeBin = project.path('fake-bin');
    await project.writeConfig('hotstandby.config.json', await clusterConfig({ standbys: [] }));
    mkdirSync(fakeBin, { mode: 0o755 });
    writeFileSync(`${fakeBin}/cp`, '#!/bin/sh\nif [ "$1" = --version ]; then echo "cp (other coreutils) 1.0"; exit 0; fi\necho "this cp must not be used" >&2\nexit 1\n');
    chmodSync(`${fakeBin}/cp`, 0o755);
    const env = { HOTSTANDBY_CACHE_DIR: project.path('cache'), HOTSTANDBY_TIMINGS: '1', PATH: `${fakeBin}:${process.env.PATH}` };
    const up = await project.run(['up', '--plain'], { env, timeoutMs: 240_000 });
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout, describeRun(up)).toMatch(/copied the initdb template; system identifier \d+/);
    expect(up.stderr, describeRun(up)).toMatch(/\[timing\] \d+ \d+ program cp --version/);
    expect(up.stderr, describeRun(up)).not.toMatch(/program cp -R/);
  });
});
