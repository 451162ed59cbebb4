import { access, constants, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError, type ErrorLocation } from '../errors/hotstandby-error.js';
import { formatBytes } from './format-bytes.js';
import { resolveSymlink } from './atomic-write.js';

// Room an atomic rewrite of a file needs besides its current size (the temp copy lives beside it until the rename).
const SPARE_BYTES = 64 * 1024;

// Refuse, before the first change, a file the run will rewrite atomically that cannot be: the file read-only or
// immutable (chattr +i), its directory not writable, or too little free space beside it for the new copy.
export async function checkFileWritable(file: string, what: string, where: ErrorLocation = {}): Promise<void> {
  const target = await resolveSymlink(file);
  const dir = path.dirname(target);
  const existing = await stat(target).catch(() => undefined);
  const problem = async (): Promise<string | undefined> => {
    if (
      existing &&
      !(await access(target, constants.W_OK).then(
        () => true,
        () => false,
      ))
    )
      return 'it is read-only or immutable';
    if (
      !(await access(dir, constants.W_OK | constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      return `its directory ${dir} is not writable`;
    const fs = await statfs(dir).catch(() => undefined);
    const needed = (existing?.size ?? 0) + SPARE_BYTES;
    if (fs && fs.bavail * fs.bsize < needed) return `only ${formatBytes(fs.bavail * fs.bsize)} is free beside it, and rewriting it needs about ${formatBytes(needed)}`;
    return undefined;
  };
  const reason = await problem();
  if (!reason) return;
  throw new HotstandbyError('PATH_UNREACHABLE', `hotstandby must rewrite ${what} ${target}, but ${reason}; nothing was changed`, {
    where: { ...where, file: target },
    fix: writeFix(target, reason.startsWith('only') ? 'ENOSPC' : 'EACCES'),
  });
}

// A failed write, removal or backup copy of a file as a HotstandbyError naming the file and the fix.
export function asFileWriteError(file: string, error: unknown, doing = 'write'): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (!code || !['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS'].includes(code)) return error;
  const reason =
    code === 'ENOSPC' || code === 'EDQUOT' ? 'the file system is full' : code === 'EROFS' ? 'the file system is read-only' : 'permission denied (read-only or immutable)';
  return new HotstandbyError('PATH_UNREACHABLE', `cannot ${doing} ${file}: ${reason}`, {
    where: { file },
    fix: writeFix(file, code),
    cause: error,
  });
}

function writeFix(file: string, code: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return `free space on the file system of ${path.dirname(file)} (df -h ${path.dirname(file)}), then run the command again`;
  if (code === 'EROFS') return `mount the file system of ${file} read-write, then run the command again`;
  return `make it writable (lsattr ${file}; chattr -i ${file}; chmod u+w ${file}, and the same for its directory), then run the command again`;
}
