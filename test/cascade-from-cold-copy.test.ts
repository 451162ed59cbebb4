// A standby cascaded from a standby that is itself a cold copy of the new primary: the copy was taken before the
// replication role existed, so the upstream has the role only once it has replayed it; the cascaded standby's base
// backup waits for that instead of failing its login.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { clusterConfig, createProject } from './support/project.js';

const TIMEOUT = { timeoutMs: 240_000 };

describe('a cascade from a cold-copied standby', () => {
  test('the cascaded standby is backed up once its upstream replayed the replication role, even when that upstream applies WAL late', async () => {
    const project = await createProject();
    const config = await clusterConfig({ standbys: ['relay', 'leaf'] });
    const [relay, leaf] = config.standbys as Record<string, unknown>[];
    // The relay applies every WAL record 3 s after its commit: the role the primary makes after the relay's copy
    // reaches it 3 s later, well after its start, when the leaf's backup comes.
    await project.writeConfig('hotstandby.config.json', {
      ...config,
      standbys: [
        { ...relay, applyDelay: '3s' },
        { ...leaf, upstream: 'relay' },
      ],
    });
    const up = await project.run(['up', '--plain'], TIMEOUT);
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout, describeRun(up)).toContain('base-backup · relay: cold copy of primary through slot relay');
    expect(up.stdout, describeRun(up)).toContain('base-backup · leaf: pg_basebackup from relay through slot leaf');
  });
});
