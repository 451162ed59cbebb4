import { lstatSync, mkdirSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';

// Where V8's compiled code for hotstandby's own files is kept between runs: HOTSTANDBY_CACHE_DIR/compile, else
// $XDG_CACHE_HOME (or ~/.cache)/hotstandby/compile. Only the invoking user reads it, so root keeps it at home too.
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOTSTANDBY_CACHE_DIR) return path.resolve(env.HOTSTANDBY_CACHE_DIR, 'compile');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'hotstandby', 'compile');
}

// Whether the directory may hold code this process will run: a real directory (not a link) of this user's that
// no one else can write. Created 0700 when missing. Code someone else could plant there would run as this user.
export function privateDirectory(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (process.platform === 'win32') return true;
    return st.uid === process.getuid?.() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

// On Node 22.1 and later, reuse V8's compiled code of the bundle between runs (module.enableCompileCache): the
// engine is about 1.3 MB of JavaScript that every command would otherwise parse again. Off with
// HOTSTANDBY_NO_COMPILE_CACHE=1 (or Node's own NODE_DISABLE_COMPILE_CACHE), and where the directory is not
// private. Node 20 has no such cache; nothing happens there. Returns the directory in use, if any.
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const enable = (module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof enable !== 'function' || ['1', 'true', 'yes'].includes((env.HOTSTANDBY_NO_COMPILE_CACHE ?? '').toLowerCase())) return undefined;
  const dir = compileCacheDir(env);
  if (!privateDirectory(dir)) return undefined;
  try {
    enable(dir);
    return dir;
  } catch {
    return undefined;
  }
}
