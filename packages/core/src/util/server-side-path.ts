import path from 'node:path';
import { onWindows } from './platform.js';

// A path written into a server's configuration (passfile, archive and restore commands), for the server whose
// data directory is dataDir. On Windows the server reads its configuration as bytes in the system's ANSI code
// page, not UTF-8, so a path with non-ASCII characters is given relative to the data directory (the working
// directory of the server and its commands) when that makes it ASCII; otherwise, and elsewhere, as it is.
export function serverSidePath(target: string, dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (!onWindows(platform)) return target;
  return asciiRelativePath(target, dataDir) ?? target;
}

// A Windows path with non-ASCII characters as an ASCII path relative to `from`, when there is one (same drive,
// the differing part ASCII); undefined for an ASCII path or when there is none.
export function asciiRelativePath(target: string, from: string): string | undefined {
  if (isAscii(target)) return undefined;
  const relative = path.win32.relative(from, target);
  return isAscii(relative) && !path.win32.isAbsolute(relative) ? relative : undefined;
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}
