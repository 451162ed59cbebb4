import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectBinDir } from '../../src/postgres/binaries.js';

// A stand-in `postgres` that prints a version and appends a line to a log each time it runs.
async function fakePostgres(dir: string, version: string): Promise<void> {
  const file = path.join(dir, 'postgres');
  const tmp = `${file}.new`;
  await writeFile(tmp, `#!/bin/sh\necho run >> "${path.join(dir, 'runs.log')}"\necho "postgres (PostgreSQL) ${version}"\n`);
  await chmod(tmp, 0o755);
  // Replaced by a rename, as a package upgrade does: a new file, not the old one edited.
  await rename(tmp, file);
}

async function runs(dir: string): Promise<number> {
  const log = await readFile(path.join(dir, 'runs.log'), 'utf8').catch(() => '');
  return log.split('\n').filter(Boolean).length;
}

describe.skipIf(process.platform === 'win32')('inspectBinDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hotstandby-binver-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('asks the same postgres program its version once per process', async () => {
    await fakePostgres(dir, '15.18');
    const candidate = { binDir: dir, source: 'config' as const, reason: 'test' };
    const [a, b] = await Promise.all([inspectBinDir(candidate), inspectBinDir(candidate)]);
    const c = await inspectBinDir(candidate);
    expect([a.version, b.version, c.version]).toEqual(['15.18', '15.18', '15.18']);
    expect(await runs(dir)).toBe(1);
  });

  it('asks again when the program file is replaced', async () => {
    await fakePostgres(dir, '15.18');
    const candidate = { binDir: dir, source: 'config' as const, reason: 'test' };
    expect((await inspectBinDir(candidate)).version).toBe('15.18');
    await fakePostgres(dir, '16.4');
    expect((await inspectBinDir(candidate)).version).toBe('16.4');
    expect(await runs(dir)).toBe(2);
  });
});
