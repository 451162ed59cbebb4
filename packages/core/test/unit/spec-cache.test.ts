import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigSource } from '../../src/config/cluster-spec.js';
import { loadConfig } from '../../src/config/load-config.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { resolveConfigCached, SPEC_CACHE_FILE } from '../../src/config/spec-cache.js';
import { hotstandbyErrorFromAsync } from './support/expect-error.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('hotstandby-spec-cache-');
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture', private: true }));
});

afterEach(async () => {
  await removeTempDir(dir);
});

const source = (): ConfigSource => ({ kind: 'file', path: path.join(dir, 'hotstandby.config.json'), dir });
const cacheFile = (stateDir = '.hotstandby') => path.join(dir, stateDir, SPEC_CACHE_FILE);

// A config with keys left undefined in the spec (no configDir, no host, no applyDelay), plugin options and a path.
const RAW = {
  primary: { port: 6100 },
  standbys: [{ name: 's1', port: 6101, applyDelay: '5 min' }],
  superuser: { passwordEnv: 'APP_PG_PASSWORD' },
  plugins: [['./my-plugin.js', { schema: 'app', nested: [1, null, { a: true }] }]],
  steps: { verify: { timeout: 30 } },
};

// A cached spec differs from a fresh one in nothing; the tampered cache below is how the tests see a hit.
async function tamperCachedPort(port: number, stateDir = '.hotstandby'): Promise<void> {
  const entry = JSON.parse(await readFile(cacheFile(stateDir), 'utf8'));
  entry.spec.primary.port = port;
  await writeFile(cacheFile(stateDir), JSON.stringify(entry));
}

describe('resolved config cache', () => {
  it('writes nothing while the state directory does not exist', async () => {
    const spec = await resolveConfigCached(RAW, source(), 'v1');
    expect(spec).toStrictEqual(resolveConfig(RAW, source()));
    expect(existsSync(path.join(dir, '.hotstandby'))).toBe(false);
  });

  it('gives back exactly what resolveConfig gives, from an owner-only file in the state directory', async () => {
    await mkdir(path.join(dir, '.hotstandby'));
    const fresh = await resolveConfigCached(RAW, source(), 'v1');
    expect((await stat(cacheFile())).mode & 0o777).toBe(0o600);
    const cached = await resolveConfigCached(RAW, source(), 'v1');
    // toStrictEqual: a key set to undefined is not a key left out.
    expect(cached).toStrictEqual(fresh);
    expect(cached).toStrictEqual(resolveConfig(RAW, source()));
    await tamperCachedPort(7777);
    expect((await resolveConfigCached(RAW, source(), 'v1')).primary.port).toBe(7777);
  });

  it('validates again when the config, its place or the version of the resolving code changes', async () => {
    await mkdir(path.join(dir, '.hotstandby'));
    await resolveConfigCached(RAW, source(), 'v1');
    await tamperCachedPort(7777);
    const edited = { ...RAW, primary: { port: 6200 } };
    expect((await resolveConfigCached(edited, source(), 'v1')).primary.port).toBe(6200);
    await tamperCachedPort(7777);
    expect((await resolveConfigCached(RAW, source(), 'v2')).primary.port).toBe(6100);
    await tamperCachedPort(7777);
    const moved = { ...source(), path: path.join(dir, '.hotstandbyrc.json') };
    expect((await resolveConfigCached(RAW, moved, 'v2')).primary.port).toBe(6100);
  });

  it('validates again after the code that checks a config changed (a module of it written since)', async () => {
    await mkdir(path.join(dir, '.hotstandby'));
    await resolveConfigCached(RAW, source());
    await tamperCachedPort(7777);
    expect((await resolveConfigCached(RAW, source())).primary.port).toBe(7777);
    const checks = fileURLToPath(new URL('../../src/config/check-conflicts.ts', import.meta.url));
    const before = await stat(checks);
    try {
      await utimes(checks, before.atime, new Date(before.mtimeMs + 5000));
      expect((await resolveConfigCached(RAW, source())).primary.port).toBe(6100);
    } finally {
      await utimes(checks, before.atime, before.mtime);
    }
  });

  it('uses the state directory the config names', async () => {
    await mkdir(path.join(dir, 'state'));
    const raw = { ...RAW, stateDir: 'state' };
    await resolveConfigCached(raw, source(), 'v1');
    await tamperCachedPort(7777, 'state');
    expect((await resolveConfigCached(raw, source(), 'v1')).primary.port).toBe(7777);
    expect(existsSync(cacheFile())).toBe(false);
  });

  it('refuses a bad config with the same error each time, cached state or not', async () => {
    await mkdir(path.join(dir, '.hotstandby'));
    await resolveConfigCached(RAW, source(), 'v1');
    const bad = { ...RAW, primary: { port: 70000 } };
    let direct: unknown;
    try {
      resolveConfig(bad, source());
    } catch (error) {
      direct = error;
    }
    for (let i = 0; i < 2; i++) {
      const error = await hotstandbyErrorFromAsync(() => resolveConfigCached(bad, source(), 'v1'), 'CONFIG_INVALID');
      expect({ message: error.message, fix: error.fix }).toEqual({
        message: (direct as typeof error).message,
        fix: (direct as typeof error).fix,
      });
    }
  });

  it('never keeps a config that holds a password, so the secret is in no more files than the config', async () => {
    await mkdir(path.join(dir, '.hotstandby'));
    for (const secret of [{ superuser: { password: 'literal secret' } }, { replication: { password: 'literal secret' } }]) {
      const raw = { ...RAW, ...secret };
      expect(await resolveConfigCached(raw, source(), 'v1')).toStrictEqual(resolveConfig(raw, source()));
      expect(existsSync(cacheFile())).toBe(false);
    }
  });

  it('validates a config that is not plain data (a JS config exporting a function) every time', async () => {
    await mkdir(path.join(dir, '.hotstandby'));
    const raw = { ...RAW, steps: { verify: { check: () => true } } };
    await resolveConfigCached(raw, source(), 'v1');
    expect(existsSync(cacheFile())).toBe(false);
  });

  it('loadConfig remembers only when asked, re-reads an edited config file and refuses a broken one with the usual error', async () => {
    const file = path.join(dir, 'hotstandby.config.json');
    await mkdir(path.join(dir, '.hotstandby'));
    await writeFile(file, JSON.stringify({ primary: { port: 6300 } }));
    expect((await loadConfig({ cwd: dir })).primary.port).toBe(6300);
    expect(existsSync(cacheFile()), 'loadConfig without rememberResolved writes nothing').toBe(false);
    const remember = { cwd: dir, rememberResolved: true };
    expect((await loadConfig(remember)).primary.port).toBe(6300);
    expect(existsSync(cacheFile())).toBe(true);
    await tamperCachedPort(7777);
    expect((await loadConfig(remember)).primary.port).toBe(7777);
    expect((await loadConfig({ cwd: dir })).primary.port, 'nor does it read it').toBe(6300);
    await writeFile(file, JSON.stringify({ primary: { port: 6301 } }));
    expect((await loadConfig(remember)).primary.port).toBe(6301);
    await writeFile(file, JSON.stringify({ primary: { port: 'five' } }));
    const error = await hotstandbyErrorFromAsync(() => loadConfig(remember), 'CONFIG_INVALID');
    expect(error.message).toContain('primary.port');
  });
});
