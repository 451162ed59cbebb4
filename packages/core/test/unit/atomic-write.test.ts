import { chmod, lstat, mkdir, readFile, readdir, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSymlink, writeFileAtomic } from '../../src/util/atomic-write.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('hotstandby-atomic-');
});
afterEach(async () => {
  await removeTempDir(dir);
});

const modeOf = async (file: string) => (await stat(file)).mode & 0o7777;

describe('writeFileAtomic', () => {
  it('creates a new file with the given mode, whatever the umask', async () => {
    const file = path.join(dir, 'new.conf');
    await writeFileAtomic(file, 'port = 5432\n', { mode: 0o644 });
    expect(await readFile(file, 'utf8')).toBe('port = 5432\n');
    expect(await modeOf(file)).toBe(0o644);
  });

  it('creates a new file as 0600 when no mode is given', async () => {
    const file = path.join(dir, 'secret');
    await writeFileAtomic(file, 'pw');
    expect(await modeOf(file)).toBe(0o600);
  });

  it('keeps the mode of an existing file, ignoring the mode for new files', async () => {
    const file = path.join(dir, 'pg_hba.conf');
    await writeFile(file, 'old\n');
    await chmod(file, 0o640);
    await writeFileAtomic(file, 'new\n', { mode: 0o600 });
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect(await modeOf(file)).toBe(0o640);
  });

  it('gives an existing file the given mode when exact (a secret file others could read)', async () => {
    const file = path.join(dir, 'pgpass');
    await writeFile(file, 'old\n');
    await chmod(file, 0o644);
    await writeFileAtomic(file, 'new\n', { mode: 0o600, exact: true });
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect(await modeOf(file)).toBe(0o600);
  });

  it('keeps the owner of an existing file', async () => {
    const file = path.join(dir, 'owned');
    await writeFile(file, 'old');
    const before = await stat(file);
    await writeFileAtomic(file, 'new');
    const after = await stat(file);
    expect([after.uid, after.gid]).toEqual([before.uid, before.gid]);
  });

  it('writes bytes exactly, Buffers included', async () => {
    const file = path.join(dir, 'bin');
    const bytes = Buffer.from([0, 1, 2, 13, 10, 255]);
    await writeFileAtomic(file, bytes);
    expect(await readFile(file)).toEqual(bytes);
    await writeFileAtomic(file, 'a\r\nb');
    expect(await readFile(file, 'utf8')).toBe('a\r\nb');
  });

  it('replaces the file with a new inode (rename), so readers never see a half-written file', async () => {
    const file = path.join(dir, 'swap');
    await writeFile(file, 'old');
    const before = await stat(file);
    await writeFileAtomic(file, 'new');
    expect((await stat(file)).ino).not.toBe(before.ino);
  });

  it('rewrites the target of a symlink and leaves the link in place', async () => {
    await mkdir(path.join(dir, 'etc'));
    const target = path.join(dir, 'etc', 'postgresql.conf');
    const link = path.join(dir, 'postgresql.conf');
    await writeFile(target, 'old\n');
    await chmod(target, 0o644);
    await symlink('etc/postgresql.conf', link);
    await writeFileAtomic(link, 'new\n');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('etc/postgresql.conf');
    expect(await readFile(target, 'utf8')).toBe('new\n');
    expect(await modeOf(target)).toBe(0o644);
  });

  it('follows a chain of symlinks to the final file', async () => {
    const target = path.join(dir, 'real');
    await writeFile(target, 'old');
    await symlink(target, path.join(dir, 'link1'));
    await symlink(path.join(dir, 'link1'), path.join(dir, 'link2'));
    await writeFileAtomic(path.join(dir, 'link2'), 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    expect((await lstat(path.join(dir, 'link1'))).isSymbolicLink()).toBe(true);
    expect((await lstat(path.join(dir, 'link2'))).isSymbolicLink()).toBe(true);
  });

  it('creates the target of a dangling symlink and keeps the link', async () => {
    const link = path.join(dir, 'auto.conf');
    await symlink('missing-target.conf', link);
    await writeFileAtomic(link, 'x = 1\n');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(path.join(dir, 'missing-target.conf'), 'utf8')).toBe('x = 1\n');
  });

  it('leaves no temporary files behind, after success and after failure', async () => {
    const file = path.join(dir, 'a.conf');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two', { mode: 0o600 });
    await writeFileAtomic(path.join(dir, 'b.conf'), 'three');
    expect((await readdir(dir)).sort()).toEqual(['a.conf', 'b.conf']);

    await expect(writeFileAtomic(path.join(dir, 'no-such-dir', 'c.conf'), 'x')).rejects.toThrow(/ENOENT/);
    // A rename onto a directory fails after the temp file was written; the temp file must go.
    await mkdir(path.join(dir, 'is-a-dir'));
    await expect(writeFileAtomic(path.join(dir, 'is-a-dir'), 'x')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['a.conf', 'b.conf', 'is-a-dir']);
  });

  it('removes temp files a killed run left beside the target, and keeps those of live writers and other files', async () => {
    const dead = spawnSync('true').pid!;
    const leftByKilledRun = path.join(dir, `.pg_hba.conf.hotstandby-${dead}-0a1b2c3d.tmp`);
    const leftByOlderVersion = path.join(dir, '.postgresql.conf.hotstandby-deadbeef.tmp');
    const ofLiveWriter = path.join(dir, `.pg_hba.conf.hotstandby-${process.ppid}-0a1b2c3d.tmp`);
    const notOurs = path.join(dir, '.pg_hba.conf.backup.tmp');
    for (const file of [leftByKilledRun, leftByOlderVersion, ofLiveWriter, notOurs]) await writeFile(file, 'x', { mode: 0o600 });

    await writeFileAtomic(path.join(dir, 'pg_hba.conf'), 'host all all 127.0.0.1/32 scram-sha-256\n');
    expect((await readdir(dir)).sort()).toEqual([path.basename(notOurs), path.basename(ofLiveWriter), 'pg_hba.conf'].sort());
  });
});

describe('resolveSymlink', () => {
  it("returns a plain or missing path unchanged and a symlink's real target", async () => {
    const file = path.join(dir, 'f');
    await writeFile(file, '');
    await symlink(file, path.join(dir, 'l'));
    expect(await resolveSymlink(file)).toBe(file);
    expect(await resolveSymlink(path.join(dir, 'missing'))).toBe(path.join(dir, 'missing'));
    expect(await resolveSymlink(path.join(dir, 'l'))).toBe(file);
  });
});
