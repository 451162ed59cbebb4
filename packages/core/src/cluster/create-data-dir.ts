import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { emptyDir } from '../util/empty-dir.js';
import { isAborted } from '../errors/hotstandby-error.js';
import type { PgBinaries } from '../postgres/binaries.js';
import type { ServerUser } from '../postgres/os-user.js';
import { INITDB_FIXED_ARGS, initdbSyncArgs, PgNode } from '../postgres/pg-node.js';
import { quoteIdent, quoteLiteral } from '../postgres/quoting.js';
import { scramVerifier } from '../postgres/scram.js';
import { runSingleUser } from '../postgres/single-user.js';
import { rewriteDataDirSystemIdentifier } from '../postgres/system-identifier.js';
import { type TemplateCache, TemplateCorrupt, templateFacts, templateKey, type TemplateManifest } from '../postgres/template-cache.js';
import { registerSecret } from '../secrets/secret-registry.js';
import { chownIfRoot } from '../util/atomic-write.js';
import { timed } from '../util/timings.js';

// What a new data directory is made for.
export interface NewDataDir {
  dataDir: string;
  binaries: PgBinaries;
  serverUser: ServerUser;
  superuser: { name: string; password: string };
  // initdb options beyond the fixed ones (--data-checksums).
  extraInitdbArgs: readonly string[];
  // A directory the server user can read, for initdb's temporary password file.
  runDir: string;
  // The template cache, or undefined for a plain initdb (--no-cache).
  cache?: TemplateCache;
  // Where notes go (a template built, a fallback to initdb and why).
  log?: (message: string) => void;
  // An interrupt (Ctrl-C): ends the template copy.
  signal?: AbortSignal;
  // false for a throwaway cluster: the copy is not synced, initdb runs with --no-sync and single-user mode with
  // fsync off (the template cache itself is always made durable).
  durable?: boolean;
}

// How a data directory was made.
export interface DataDirMade {
  method: 'template' | 'initdb';
  // For a template copy: the identifier it had and the one it got.
  systemIdentifier?: { template: string; copy: string };
}

// How the next new data directory for these binaries will be made: 'template' when a complete entry is cached.
export async function plannedDataDirMethod(request: Omit<NewDataDir, 'dataDir' | 'runDir' | 'log' | 'signal'>): Promise<{ method: 'template' | 'initdb'; why: string }> {
  if (!request.cache) return { method: 'initdb', why: 'the template cache is off (--no-cache)' };
  const build = { method: 'template' as const, why: `initdb once into the template cache ${request.cache.root}, then a copy of it with its own system identifier` };
  // Binaries a dry run has not downloaded yet cannot be stamped: the first run builds the template.
  const facts = await templateFacts(request.binaries, request.superuser.name, initdbArgs(request.extraInitdbArgs), request.serverUser).catch(() => undefined);
  if (!facts) return build;
  const key = templateKey(facts);
  return (await request.cache.find(key))
    ? { method: 'template', why: `a copy of the cached initdb template ${request.cache.entryDir(key)}, with its own system identifier` }
    : build;
}

// Make a new cluster in an empty (or absent) data directory: a copy of the cached initdb template with a new
// system identifier and the superuser's password, or initdb where the cache is off or cannot be used. Whatever
// the template path leaves in the directory when it fails is removed before initdb runs.
export async function createDataDir(request: NewDataDir): Promise<DataDirMade> {
  if (request.cache) {
    try {
      return await copyTemplate(request, request.cache);
    } catch (error) {
      if (isAborted(error)) throw error;
      request.log?.(`the initdb template could not be used (${(error as Error).message}); running initdb`);
      await emptyDir(request.dataDir);
    }
  }
  await initdbWithPassword(request, request.dataDir, request.superuser.password);
  return { method: 'initdb' };
}

// The copy is made in a hidden sibling and renamed over the (empty) data directory only once it has its own
// system identifier and password: a run killed half-way never leaves a cluster that shares the template's
// identifier where a later run would start it. Siblings left by such a run are removed first.
async function copyTemplate(request: NewDataDir, cache: TemplateCache): Promise<DataDirMade> {
  const facts = await timed('template facts', () => templateFacts(request.binaries, request.superuser.name, initdbArgs(request.extraInitdbArgs), request.serverUser));
  const key = templateKey(facts);
  const durable = isDurable(request);
  const build = () => {
    request.log?.(`building the initdb template in ${cache.root}`);
    return cache.build(key, facts, request.serverUser, (dataDir, workDir) => buildTemplate({ ...request, durable: true }, dataDir, workDir));
  };
  let manifest: TemplateManifest = (await timed('template find', () => cache.find(key))) ?? (await build());
  const parent = path.dirname(request.dataDir);
  const prefix = `.${path.basename(request.dataDir)}.hotstandby-template-`;
  for (const name of await readdir(parent)) if (name.startsWith(prefix)) await rm(path.join(parent, name), { recursive: true, force: true });
  const work = path.join(parent, `${prefix}${randomBytes(4).toString('hex')}`);
  try {
    await makeServerDir(work, request.serverUser);
    try {
      await timed('template copy', () => cache.copyTo(manifest, work, request.serverUser, request.signal, { sync: durable }));
    } catch (error) {
      if (!(error instanceof TemplateCorrupt)) throw error;
      request.log?.(`the cached initdb template is damaged (${error.message}); building it again`);
      await rm(work, { recursive: true, force: true });
      await makeServerDir(work, request.serverUser);
      await cache.discard(key);
      manifest = await build();
      await cache.copyTo(manifest, work, request.serverUser, request.signal, { sync: durable });
    }
    const rewrite = await timed('new system identifier', () => rewriteDataDirSystemIdentifier(work));
    const verifier = scramVerifier(request.superuser.password);
    registerSecret(verifier);
    await runSingleUser(
      request.binaries,
      work,
      request.serverUser,
      [`ALTER ROLE ${quoteIdent(request.superuser.name)} PASSWORD ${quoteLiteral(verifier)}`],
      'setting the superuser password',
      { fsync: durable },
    );
    // rename(2) replaces an empty directory; the data directory was made empty (or found empty) for this.
    await rename(work, request.dataDir);
    return { method: 'template', systemIdentifier: { template: rewrite.from.toString(), copy: rewrite.to.toString() } };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function makeServerDir(dir: string, user: ServerUser): Promise<void> {
  await mkdir(dir, { mode: 0o700 });
  await chownIfRoot(dir, user.uid, user.gid);
}

// initdb into the template's data directory with a throwaway password, then drop the password: the cache holds
// no secret, and every copy gets its own.
async function buildTemplate(request: NewDataDir, dataDir: string, workDir: string): Promise<void> {
  await initdbWithPassword({ ...request, runDir: workDir }, dataDir, randomBytes(24).toString('base64url'));
  await runSingleUser(request.binaries, dataDir, request.serverUser, [`ALTER ROLE ${quoteIdent(request.superuser.name)} PASSWORD NULL`], 'clearing the template password');
}

async function initdbWithPassword(request: NewDataDir, dataDir: string, password: string): Promise<void> {
  const node = new PgNode({
    name: path.basename(dataDir),
    role: 'primary',
    port: 0,
    dataDir,
    binaries: request.binaries,
    osUser: request.serverUser,
    logFile: path.join(request.runDir, 'initdb.log'),
    superuser: { name: request.superuser.name },
  });
  await node.initdb({ password, pwfileDir: request.runDir, extraArgs: [...request.extraInitdbArgs, ...initdbSyncArgs(node.facts, isDurable(request))] });
}

// Whether the new data directory is waited for on the disk (all but a throwaway cluster's).
function isDurable(request: NewDataDir): boolean {
  return request.durable !== false;
}

function initdbArgs(extra: readonly string[]): string[] {
  return [...INITDB_FIXED_ARGS, ...extra];
}
