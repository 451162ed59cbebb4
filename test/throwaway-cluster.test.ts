// A throwaway cluster (`durable: false`, what the app-testing kit makes): hotstandby does not wait for what it
// writes into data directories to reach the disk, and the cluster works as any other. A durable one (the default)
// syncs its copies.
import { describe, expect, test } from 'vitest';
import { describeRun } from './support/cli.js';
import { clusterConfig, createProject } from './support/project.js';

const TIMEOUT = { timeoutMs: 240_000 };

// How many times a program ran, from HOTSTANDBY_TIMINGS's summary line ("programs run: cp×3 sync -f×2 ...").
function runs(stderr: string, program: string): number {
  const summary = /programs run: (.*?);/.exec(stderr)?.[1];
  if (summary === undefined) throw new Error(`no HOTSTANDBY_TIMINGS summary in:\n${stderr}`);
  const escaped = program.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return Number(new RegExp(`(?:^| )${escaped}×(\\d+)(?: |$)`).exec(summary)?.[1] ?? 0);
}

describe('durable: false', () => {
  test('up makes a streaming, verified 1+1 without one sync; the durable default syncs the template copy and the cold copy', async () => {
    const project = await createProject();
    const config = await clusterConfig({ standbys: ['standby1'], durable: false });
    await project.writeConfig('hotstandby.config.json', config);
    const up = await project.run(['up', '--plain'], { ...TIMEOUT, env: { HOTSTANDBY_TIMINGS: '1' } });
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout, describeRun(up)).toContain('base-backup · standby1: cold copy of primary through slot standby1');
    expect(up.stdout, describeRun(up)).toMatch(/1 standby\(s\) read-only and streaming/);
    expect(runs(up.stderr, 'cp'), describeRun(up)).toBe(2);
    expect(runs(up.stderr, 'sync -f'), describeRun(up)).toBe(0);
    const verify = await project.run(['verify'], TIMEOUT);
    expect(verify.code, describeRun(verify)).toBe(0);

    // The same cluster made again, durable (the default): the template copy and the standby's copy are synced.
    expect((await project.run(['down', '--purge'], TIMEOUT)).code).toBe(0);
    const { durable: _, ...durable } = config;
    await project.writeConfig('hotstandby.config.json', durable);
    const again = await project.run(['up', '--plain'], { ...TIMEOUT, env: { HOTSTANDBY_TIMINGS: '1' } });
    expect(again.code, describeRun(again)).toBe(0);
    expect(runs(again.stderr, 'sync -f'), describeRun(again)).toBe(2);
  });

  test('initdb and pg_basebackup run with --no-sync, as the plan shows, and make a streaming standby', async () => {
    const project = await createProject();
    const config = await clusterConfig({ standbys: ['standby1'], durable: false, steps: { 'base-backup': { method: 'pg_basebackup' } } });
    await project.writeConfig('hotstandby.config.json', config);
    const dry = await project.run(['up', '--dry-run', '--no-cache'], TIMEOUT);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(dry.stdout, describeRun(dry)).toMatch(/initdb -D \S+ -U postgres .*--no-sync/);
    expect(dry.stdout, describeRun(dry)).toMatch(/pg_basebackup .*--no-sync/);
    // The binaries take the options as given (a wrong spelling would fail the run).
    const up = await project.run(['up', '--no-cache', '--plain'], { ...TIMEOUT, env: { HOTSTANDBY_TIMINGS: '1' } });
    expect(up.code, describeRun(up)).toBe(0);
    expect(up.stdout, describeRun(up)).toContain('base-backup · standby1: pg_basebackup from primary through slot standby1');
    expect(up.stdout, describeRun(up)).toMatch(/1 standby\(s\) read-only and streaming/);
    expect(runs(up.stderr, 'pg_basebackup'), describeRun(up)).toBe(1);
    expect(runs(up.stderr, 'sync -f'), describeRun(up)).toBe(0);
  });
});
