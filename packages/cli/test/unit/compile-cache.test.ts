import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCacheDir, enableCompileCache, privateDirectory } from '../../src/compile-cache.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'hotstandby-compile-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the compile cache directory', () => {
  it('is under HOTSTANDBY_CACHE_DIR, else the XDG cache home, else ~/.cache', () => {
    expect(compileCacheDir({ HOTSTANDBY_CACHE_DIR: '/srv/cache' })).toBe('/srv/cache/compile');
    expect(compileCacheDir({ XDG_CACHE_HOME: '/home/me/.xdg' })).toBe('/home/me/.xdg/hotstandby/compile');
    expect(compileCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'hotstandby', 'compile'));
  });

  it('is created owner-only when missing, and then used', () => {
    const target = path.join(dir, 'a', 'compile');
    expect(privateDirectory(target)).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o700);
  });

  it('is refused when others may write it, or when it is a link', () => {
    const open = path.join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(privateDirectory(open)).toBe(false);
    const real = path.join(dir, 'real');
    mkdirSync(real, { mode: 0o700 });
    const link = path.join(dir, 'link');
    symlinkSync(real, link);
    expect(privateDirectory(link)).toBe(false);
  });

  it('is not used when HOTSTANDBY_NO_COMPILE_CACHE is set, nor on a Node without the cache (20)', () => {
    expect(enableCompileCache({ HOTSTANDBY_CACHE_DIR: dir, HOTSTANDBY_NO_COMPILE_CACHE: '1' })).toBeUndefined();
    const hasCache = Number(process.versions.node.split('.')[0]) >= 22;
    if (!hasCache) expect(enableCompileCache({ HOTSTANDBY_CACHE_DIR: dir })).toBeUndefined();
  });
});
