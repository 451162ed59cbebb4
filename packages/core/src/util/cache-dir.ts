import os from 'node:os';
import path from 'node:path';
import { runningAsRoot } from '../postgres/os-user.js';

// A directory of hotstandby's cache that the servers read too (embedded binaries, initdb templates):
// HOTSTANDBY_CACHE_DIR/<kind>, else /var/cache/hotstandby/<kind> for root (reachable by the postgres OS user,
// unlike /root), else $XDG_CACHE_HOME (or ~/.cache)/hotstandby/<kind>.
export function serverCacheDir(kind: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOTSTANDBY_CACHE_DIR) return path.resolve(env.HOTSTANDBY_CACHE_DIR, kind);
  if (runningAsRoot()) return path.join('/var/cache/hotstandby', kind);
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'hotstandby', kind);
}
