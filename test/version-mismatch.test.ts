// Issue 3: primary and standbys share one major. A standby data directory left from another major is refused
// with both versions named, before anything is created.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { installEmbedded, inspectBinDir } from '@hotstandby/core';
import { createTestPrimary } from '@hotstandby/testing';
import { describeRun } from './support/cli.js';
import { expectUserError } from './support/cluster-json.js';
import { clusterConfig, createProject, deferCleanup } from './support/project.js';

describe('one major for the whole cluster', () => {
  test('a standby directory of another major is refused, naming both versions, and nothing is created', async () => {
    const embedded = await installEmbedded(160000);
    const other = await createTestPrimary({ stopped: true, binaries: await inspectBinDir({ binDir: embedded.binDir, source: 'embedded', reason: 'test' }) });
    deferCleanup(() => other.cleanup());
    const project = await createProject();
    const config = await clusterConfig({ postgres: { binDir: '/usr/lib/postgresql/15/bin' } });
    (config.standbys as { dataDir?: string }[])[0]!.dataDir = other.dataDir;
    await project.writeConfig('hotstandby.config.json', config);

    const up = await project.run(['up', '--plain']);
    expect(up.code, describeRun(up)).toBe(1);
    expectUserError(up, [/PostgreSQL 16/, /15\.\d+/, other.dataDir]);
    expect(existsSync(project.path('.hotstandby')), 'nothing was created').toBe(false);
    expect(existsSync(path.join(other.dataDir, 'PG_VERSION'))).toBe(true);
  });
});
