import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { serverCacheDir } from '../util/cache-dir.js';
import { chownIfRoot, writeFileAtomic } from '../util/atomic-write.js';
import { programStamp, type PgBinaries } from './binaries.js';
import { runningAsRoot, type ServerUser } from './os-user.js';
import { readControlFacts } from './pg-control.js';
import { processAlive } from './process-alive.js';
import { readSystemIdentifier } from './data-dir.js';
import { syncTree } from '../util/sync-tree.js';
import { timed } from '../util/timings.js';
import { copyTreeNative, isCopyFailure, nativeTreeCopyAvailable } from '../util/native-tree-copy.js';
import { checkCopyAgainstManifest, fileDigest } from './template-check.js';
import { TemplateCorrupt } from './template-corrupt.js';

export { TemplateCorrupt } from './template-corrupt.js';

// Bumped when the layout of an entry or its manifest changes, so older entries are never read.
const TEMPLATE_FORMAT = 1;
const MANIFEST = 'manifest.json';
const DATA = 'data';
const COPY_CONCURRENCY = 16;

// What a template is made from; any difference makes another entry (the key is a hash of all of it).
export interface TemplateFacts {
  binDir: string;
  version: string;
  // Size, modification time and inode of the server programs: a reinstalled or upgraded binary is another key.
  binaryStamps: Record<string, string>;
  superuser: string;
  initdbArgs: string[];
  serverUid: number;
  // initdb writes the time zone it finds into postgresql.conf.
  timeZone: string;
}

// One file or directory of a template, as the manifest records it.
export interface TemplateEntryFile {
  path: string;
  mode: number;
  size?: number;
  sha256?: string;
}

// The manifest of a complete entry, written last: a half-written entry has none and is rebuilt.
export interface TemplateManifest {
  format: number;
  key: string;
  facts: TemplateFacts;
  systemIdentifier: string;
  dirs: TemplateEntryFile[];
  files: TemplateEntryFile[];
}

// Where initdb templates live (serverCacheDir "templates").
export function templateCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return serverCacheDir('templates', env);
}

// The facts a template for these binaries, superuser, initdb options and server user is keyed by.
export async function templateFacts(binaries: PgBinaries, superuser: string, initdbArgs: readonly string[], serverUser: ServerUser): Promise<TemplateFacts> {
  const binaryStamps: Record<string, string> = {};
  for (const program of ['postgres', 'initdb'] as const) {
    binaryStamps[program] = await programStamp(binaries.path(program));
  }
  return {
    binDir: binaries.binDir,
    version: binaries.version,
    binaryStamps,
    superuser,
    initdbArgs: [...initdbArgs],
    serverUid: serverUser.uid,
    timeZone: process.env.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

// The cache key of a set of facts.
export function templateKey(facts: TemplateFacts): string {
  return createHash('sha256')
    .update(JSON.stringify({ format: TEMPLATE_FORMAT, ...facts }))
    .digest('hex')
    .slice(0, 32);
}

// A per-user cache of cleanly shut down, password-less initdb'd data directories, one per key. Entries are built
// in a hidden directory and renamed into place with their manifest (hashes and sizes of every file) written last;
// a copy is checked against the manifest, so a half-written or corrupt entry is found and built again.
export class TemplateCache {
  constructor(
    readonly root: string = templateCacheRoot(),
    // nativeCopy false: copy file by file in Node even where cp could (as where it cannot).
    private readonly options: { nativeCopy?: boolean } = {},
  ) {}

  // The directory of one entry.
  entryDir(key: string): string {
    return path.join(this.root, key);
  }

  // The manifest of a complete entry, or undefined when there is none (or it is unreadable or of another format).
  async find(key: string): Promise<TemplateManifest | undefined> {
    const text = await readFile(path.join(this.entryDir(key), MANIFEST), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const manifest = JSON.parse(text) as TemplateManifest;
      if (manifest.format !== TEMPLATE_FORMAT || manifest.key !== key || !Array.isArray(manifest.files) || !Array.isArray(manifest.dirs)) return undefined;
      return manifest;
    } catch {
      return undefined;
    }
  }

  // Build the entry for a key: `make` fills an empty data directory owned by the server user (initdb, say), which
  // must end cleanly shut down. When another run finished the same key first, its entry is used and ours dropped.
  // Entries for older builds of the same binaries are removed.
  async build(key: string, facts: TemplateFacts, serverUser: ServerUser, make: (dataDir: string, workDir: string) => Promise<void>): Promise<TemplateManifest> {
    await mkdir(this.root, { recursive: true, mode: 0o755 });
    await this.removeAbandoned();
    const work = path.join(this.root, `.build-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(work, { mode: 0o755 });
    try {
      const data = path.join(work, DATA);
      await mkdir(data, { mode: 0o700 });
      await chownIfRoot(data, serverUser.uid, serverUser.gid);
      await make(data, work);
      const control = await readControlFacts(data);
      if (control.state !== 'shut down') throw new HotstandbyError('INTERNAL', `the new template in ${data} is "${control.state}", not cleanly shut down`);
      const tree = await describeTree(data);
      // Durable before the manifest says the entry is complete (one syncfs where the system has it).
      await syncTree(
        data,
        [...tree.files, ...tree.dirs].map((f) => f.path),
      );
      const manifest: TemplateManifest = { format: TEMPLATE_FORMAT, key, facts, systemIdentifier: (await readSystemIdentifier(data)) ?? '', ...tree };
      await writeFileAtomic(path.join(work, MANIFEST), JSON.stringify(manifest, null, 1) + '\n', { mode: 0o644 });
      const finishedFirst = await this.find(key);
      if (finishedFirst) return finishedFirst;
      try {
        await rename(work, this.entryDir(key));
      } catch {
        // Another run put an entry there first: use it when it is whole. Only a damaged one (no valid manifest) is
        // replaced; discarding before the rename would throw away a good entry another run is copying from.
        const theirs = await this.find(key);
        if (theirs) return theirs;
        await this.discard(key);
        await rename(work, this.entryDir(key));
      }
      await this.removeOutdated(facts, key);
      return manifest;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  // Copy an entry's data directory into an empty directory, owned by the server user, checking the copy against
  // the manifest; a difference (a corrupt or changed entry) throws a TemplateCorrupt error. Where this machine's cp
  // is GNU coreutils', one cp run copies it and one pass checks the copy; elsewhere Node copies and checks file by file.
  // An interrupt (signal) ends the copy with an ABORTED error; what was copied is the caller's to remove.
  // With sync false (a throwaway cluster's), the copy is not made durable.
  async copyTo(manifest: TemplateManifest, target: string, serverUser: ServerUser, signal?: AbortSignal, options: { sync?: boolean } = {}): Promise<void> {
    const sync =
      options.sync === false
        ? async () => undefined
        : () =>
            syncTree(
              target,
              [...manifest.files, ...manifest.dirs].map((f) => f.path),
            );
    if (this.options.nativeCopy !== false && (await nativeTreeCopyAvailable())) await this.copyNative(manifest, target, serverUser, sync, signal);
    else {
      await this.copyFileByFile(manifest, target, serverUser, signal);
      await sync();
    }
  }

  // The whole data directory in one cp run (as root it keeps the entry's owner, the server user initdb ran as; as the
  // server user it makes the files that user's), then the copy checked (contents, modes, owner, nothing extra) while
  // it is made durable: syncTree's `sync -f` starts before the check and waits on the disk while the check reads.
  private async copyNative(manifest: TemplateManifest, target: string, serverUser: ServerUser, sync: () => Promise<void>, signal?: AbortSignal): Promise<void> {
    const source = path.join(this.entryDir(manifest.key), DATA);
    try {
      await copyTreeNative(source, target, signal);
    } catch (error) {
      if (isCopyFailure(error)) throw new TemplateCorrupt(`${source} cannot be copied: ${(error as Error).message}`);
      throw error;
    }
    const owner = runningAsRoot() ? { uid: serverUser.uid, gid: serverUser.gid } : { uid: serverUser.uid };
    const synced = sync();
    try {
      await timed('template check', async () => checkCopyAgainstManifest(target, manifest, owner));
    } finally {
      // Nothing of the sync is left running, whether the check passed or not.
      await synced.catch(() => undefined);
    }
    await synced;
    // The check runs without a break, so an interrupt during it is seen only now.
    if (signal?.aborted) throw new HotstandbyError('ABORTED', 'copying the initdb template was interrupted');
  }

  // Every directory made and every file copied, given its mode and owner and hashed, by Node (where no suitable cp is).
  private async copyFileByFile(manifest: TemplateManifest, target: string, serverUser: ServerUser, signal?: AbortSignal): Promise<void> {
    const source = path.join(this.entryDir(manifest.key), DATA);
    for (const dir of manifest.dirs) {
      const to = path.join(target, dir.path);
      if (dir.path !== '') await mkdir(to, { mode: dir.mode });
      await chmod(to, dir.mode);
      await chownIfRoot(to, serverUser.uid, serverUser.gid);
    }
    const copyOne = async (file: TemplateEntryFile) => {
      const from = path.join(source, file.path);
      const to = path.join(target, file.path);
      try {
        await copyFile(from, to, fsConstants.COPYFILE_FICLONE | fsConstants.COPYFILE_EXCL);
      } catch (error) {
        throw new TemplateCorrupt(`${from} cannot be copied: ${(error as Error).message}`);
      }
      await chmod(to, file.mode);
      await chownIfRoot(to, serverUser.uid, serverUser.gid);
      const { size, sha256 } = fileDigest(to);
      if (size !== file.size || sha256 !== file.sha256) throw new TemplateCorrupt(`${from} differs from the manifest (${size} bytes, expected ${file.size})`);
    };
    // The first failure stops every worker, and is thrown only once none is still writing into the target (which
    // the caller then removes: a worker still copying would make that removal fail).
    const queue = [...manifest.files];
    let failure: unknown;
    const worker = async () => {
      for (let file = queue.shift(); file && failure === undefined; file = queue.shift()) {
        if (signal?.aborted) failure ??= new HotstandbyError('ABORTED', 'copying the initdb template was interrupted');
        else await copyOne(file).catch((error: unknown) => (failure ??= error));
      }
    };
    await Promise.all(Array.from({ length: COPY_CONCURRENCY }, worker));
    if (failure !== undefined) throw failure;
  }

  // Remove one entry (renamed aside first, so no reader sees half of it).
  async discard(key: string): Promise<void> {
    const trash = path.join(this.root, `.trash-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(this.entryDir(key), trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    await rm(trash, { recursive: true, force: true });
  }

  // Remove every entry (`hotstandby cache clear`); returns the keys removed.
  async clear(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const keys = names.filter((n) => !n.startsWith('.'));
    for (const key of keys) await this.discard(key);
    await this.removeAbandoned();
    return keys;
  }

  // Build directories of runs that died (their PID is gone) and directories being removed.
  private async removeAbandoned(): Promise<void> {
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      const build = /^\.build-(\d+)-/.exec(name);
      const dead = build ? !(await processAlive(Number(build[1]))) : name.startsWith('.trash-');
      if (dead) await rm(path.join(this.root, name), { recursive: true, force: true });
    }
  }

  // Entries made from the same bin directory by other binaries (reinstalled or upgraded since): never usable again.
  private async removeOutdated(current: TemplateFacts, keep: string): Promise<void> {
    for (const name of await readdir(this.root).catch(() => [] as string[])) {
      if (name.startsWith('.') || name === keep) continue;
      const facts = (await this.find(name))?.facts;
      if (facts?.binDir === current.binDir && (facts.version !== current.version || JSON.stringify(facts.binaryStamps) !== JSON.stringify(current.binaryStamps))) {
        await this.discard(name);
      }
    }
  }
}

// Every directory and regular file under a data directory, with modes, sizes and hashes; anything else (a
// symlink, a socket) makes it refuse, as a fresh initdb has none.
async function describeTree(root: string): Promise<{ dirs: TemplateEntryFile[]; files: TemplateEntryFile[] }> {
  const dirs: TemplateEntryFile[] = [];
  const files: TemplateEntryFile[] = [];
  const walk = async (rel: string) => {
    const st = await lstat(path.join(root, rel));
    if (st.isDirectory()) {
      dirs.push({ path: rel, mode: st.mode & 0o7777 });
      for (const name of (await readdir(path.join(root, rel))).sort()) await walk(rel === '' ? name : path.join(rel, name));
    } else if (st.isFile()) {
      const { size, sha256 } = fileDigest(path.join(root, rel));
      files.push({ path: rel, mode: st.mode & 0o7777, size, sha256 });
    } else {
      throw new HotstandbyError('INTERNAL', `the new template holds ${path.join(root, rel)}, which is neither a file nor a directory`);
    }
  };
  await walk('');
  return { dirs, files };
}
