import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { TemplateEntryFile, TemplateManifest } from './template-cache.js';
import { TemplateCorrupt } from './template-corrupt.js';

// Who must own every file and directory of a copy: the uid always, the gid where the copier could set it (root).
export interface CopyOwner {
  uid: number;
  gid?: number;
}

// Bytes read at a time: one buffer for the whole check, which reads one file after another.
const READ_CHUNK = 256 * 1024;

// Check a finished copy of a template against its manifest in one pass: every directory and file the manifest
// lists is there with its mode and the owner, every file with its size and SHA-256, and nothing else is (no
// other file, directory, symlink or device). Any difference throws TemplateCorrupt. Synchronous: the files were
// just written and are in the page cache, and one loop of reads beats a thread pool's round trips for ~1000 files.
export function checkCopyAgainstManifest(root: string, manifest: TemplateManifest, owner: CopyOwner): void {
  const dirs = new Map(manifest.dirs.map((d) => [d.path, d]));
  const files = new Map(manifest.files.map((f) => [f.path, f]));
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  let dirsSeen = 0;
  let filesSeen = 0;
  const visit = (rel: string) => {
    const at = path.join(root, rel);
    const st = lstatSync(at);
    if (st.isDirectory()) {
      checkAttributes(at, st, dirs.get(rel), owner);
      dirsSeen++;
      for (const name of readdirSync(at)) visit(rel === '' ? name : path.join(rel, name));
    } else if (st.isFile()) {
      const expected = files.get(rel);
      checkAttributes(at, st, expected, owner);
      filesSeen++;
      if (st.size !== expected!.size) throw new TemplateCorrupt(`${at} has ${st.size} bytes, the manifest says ${expected!.size}`);
      if (fileDigest(at, buffer).sha256 !== expected!.sha256) throw new TemplateCorrupt(`${at} differs from the manifest (its SHA-256)`);
    } else {
      throw new TemplateCorrupt(`${at} is neither a file nor a directory, and the manifest lists no such thing`);
    }
  };
  visit('');
  if (dirsSeen !== dirs.size || filesSeen !== files.size) {
    const missing = [...dirs.keys(), ...files.keys()].find((rel) => lstatSync(path.join(root, rel), { throwIfNoEntry: false }) === undefined);
    throw new TemplateCorrupt(`${path.join(root, missing ?? '')} is missing from the copy`);
  }
}

// A directory or file of the copy is listed, with the manifest's mode and the server user as its owner.
function checkAttributes(at: string, st: Stats, expected: TemplateEntryFile | undefined, owner: CopyOwner): void {
  const kind = st.isDirectory() ? 'directory' : 'file';
  if (!expected) throw new TemplateCorrupt(`${at} is a ${kind} the manifest does not list`);
  if ((st.mode & 0o7777) !== expected.mode) {
    throw new TemplateCorrupt(`${at} has mode ${(st.mode & 0o7777).toString(8)}, the manifest says ${expected.mode.toString(8)}`);
  }
  if (st.uid !== owner.uid || (owner.gid !== undefined && st.gid !== owner.gid)) {
    throw new TemplateCorrupt(`${at} is owned by ${st.uid}:${st.gid}, not by the server user (${owner.uid}${owner.gid === undefined ? '' : `:${owner.gid}`})`);
  }
}

// Size and SHA-256 of a file, read with synchronous calls in chunks (through the buffer given, or one of its own):
// the template's files are hashed one after another, by its check and when an entry is built or copied by Node.
export function fileDigest(file: string, buffer: Buffer = Buffer.allocUnsafe(READ_CHUNK)): { size: number; sha256: string } {
  const hash = createHash('sha256');
  let size = 0;
  const fd = openSync(file, 'r');
  try {
    for (let read = readSync(fd, buffer, 0, buffer.length, null); read > 0; read = readSync(fd, buffer, 0, buffer.length, null)) {
      hash.update(buffer.subarray(0, read));
      size += read;
    }
  } finally {
    closeSync(fd);
  }
  return { size, sha256: hash.digest('hex') };
}
