import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownMajors, listAvailableBinaries, majorLabel, OLDEST_RUNNABLE_MAJOR, type PgMajorNum } from '@hotstandby/core';
import { freePort, makeTempDir, removeTempDir } from '@hotstandby/testing';
import { runCli } from './run-cli.js';

// "auto" on the embedded binaries (no pg_basebackup): up makes the standby a cold copy of the new primary, then
// add-standby copies the running primary through the low-level backup API, which differs between majors.
interface MatrixCase {
  major: PgMajorNum;
  method: 'auto' | 'pg_basebackup';
  binDir?: string;
}

const runnable = knownMajors().filter((m) => m >= OLDEST_RUNNABLE_MAJOR);
const withBasebackup = (await listAvailableBinaries()).filter((b) => b.source !== 'embedded' && b.has('pg_basebackup'));
const cases: MatrixCase[] = [
  ...runnable.map((major) => ({ major, method: 'auto' as const })),
  ...withBasebackup.map((b) => ({ major: b.major, method: 'pg_basebackup' as const, binDir: b.binDir })),
];

// Bring up primary + standby, verify, check the version really used, and tear down — for each case.
async function runCase(c: MatrixCase): Promise<void> {
  const dir = await makeTempDir('hotstandby-matrix-');
  try {
    const config = {
      postgres: c.binDir ? { binDir: c.binDir } : { version: c.major / 10000, binDir: 'embedded' },
      primary: { name: 'primary', port: await freePort() },
      standbys: [{ name: 'standby1', port: await freePort() }],
      archive: true,
      steps: { 'base-backup': { method: c.method } },
    };
    await writeFile(path.join(dir, 'hotstandby.config.json'), JSON.stringify(config, null, 2));
    const up = await runCli(['up', '--plain'], dir);
    expect(up.code, `up failed:\n${up.stdout}\n${up.stderr}`).toBe(0);
    const standbys = [{ name: 'standby1', readOnly: true, rowReplicated: true, streaming: true }];
    if (c.method === 'auto') {
      expect(up.stdout).toContain('base-backup · standby1: cold copy of primary through slot standby1');
      const add = await runCli(['add-standby', 'standby2', '--port', String(await freePort()), '--plain'], dir);
      expect(add.code, `add-standby failed:\n${add.stdout}\n${add.stderr}`).toBe(0);
      expect(add.stdout).toContain('copied (low-level API) from primary through slot standby2');
      standbys.push({ ...standbys[0]!, name: 'standby2' });
    }
    const verify = await runCli(['verify', '--json'], dir);
    expect(verify.code, verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout) as { ok: boolean; standbys: { name: string; readOnly: boolean; rowReplicated: boolean; streaming: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.standbys).toMatchObject(standbys);
    const status = JSON.parse((await runCli(['status', '--json'], dir)).stdout) as { postgres: { version: string } };
    expect(status.postgres.version.split('.')[0]).toBe(majorLabel(c.major));
  } finally {
    const down = await runCli(['down', '--purge'], dir);
    await removeTempDir(dir);
    expect(down.code, down.stderr).toBe(0);
  }
}

describe.concurrent('every PostgreSQL major from 10 to 18, for real', () => {
  for (const c of cases) {
    it(`PostgreSQL ${majorLabel(c.major)} with ${c.method === 'auto' ? 'a cold copy, then the low-level copy' : c.method}${c.binDir ? ` (${c.binDir})` : ' (embedded)'}`, () =>
      runCase(c));
  }
});
