import { createHash } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { access, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PgNode } from '../postgres/pg-node.js';
import { writeFileAtomic } from '../util/atomic-write.js';

// Where up keeps the cold copies of a new primary, and how a later run finds the ones an interrupted run left (they
// hold the primary's catalog, the superuser's password verifier with it, so none may stay behind).
//
// A copy is taken beside the standby's data directory when that directory does not exist yet and its parent is
// writable: a hidden sibling named after it, so that putting it in place is a rename on the same file system, with
// the labels a directory made there gets. Such a copy is recorded in the run directory before it is made, so it is
// found again even when the config no longer lists that standby or moved it. Otherwise (a data directory the user
// made, a parent that is missing or not writable) the copy goes into the state directory's run directory.
const RUN_DIR_PREFIX = 'cold-copy-';
const BESIDE_INFIX = '.hotstandby-cold-copy-of-';
const RECORD_PREFIX = 'beside-cold-copy-';

// The name every copy beside a data directory has (and nothing else the tool or a user makes does).
const BESIDE_NAME = /^\.[^/\\]+\.hotstandby-cold-copy-of-[^/\\]+$/;

// Where up takes the cold copy of a node for a standby.
export async function coldCopyDir(runDir: string, node: string, standby: { name: string; dataDir: string }): Promise<string> {
  const parent = path.dirname(standby.dataDir);
  const writable = await access(parent, constants.W_OK).then(
    () => true,
    () => false,
  );
  if (writable && !existsSync(standby.dataDir)) return path.join(parent, `.${path.basename(standby.dataDir)}${BESIDE_INFIX}${node}`);
  return path.join(runDir, `${RUN_DIR_PREFIX}${node}-for-${standby.name}`);
}

// Before a copy outside the run directory is made: a note of where it is, in the run directory.
export async function recordColdCopyPlace(runDir: string, dir: string): Promise<void> {
  if (path.dirname(dir) === runDir) return;
  await writeFileAtomic(recordFile(runDir, dir), dir + '\n', { mode: 0o600 });
}

function recordFile(runDir: string, dir: string): string {
  return path.join(runDir, `${RECORD_PREFIX}${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`);
}

// The recorded places of copies beside data directories: the record file and the copy's path (only a path that
// has a cold copy's name: a damaged record never points the removal anywhere else).
async function recordedPlaces(runDir: string): Promise<{ record: string; dir: string }[]> {
  const names = (await readdir(runDir).catch(() => [] as string[])).filter((n) => n.startsWith(RECORD_PREFIX));
  const places: { record: string; dir: string }[] = [];
  for (const name of names) {
    const dir = (await readFile(path.join(runDir, name), 'utf8').catch(() => '')).trim();
    places.push({ record: path.join(runDir, name), dir: path.isAbsolute(dir) && BESIDE_NAME.test(path.basename(dir)) ? dir : '' });
  }
  return places;
}

// The cold copies there are: in the run directory, recorded there (the records read already may be given), and
// beside the given standby data directories.
export async function findColdCopies(runDir: string, standbyDataDirs: readonly string[], records?: { dir: string }[]): Promise<string[]> {
  const found = new Set((await readdir(runDir).catch(() => [] as string[])).filter((n) => n.startsWith(RUN_DIR_PREFIX)).map((n) => path.join(runDir, n)));
  for (const { dir } of records ?? (await recordedPlaces(runDir))) if (dir && existsSync(dir)) found.add(dir);
  for (const parent of new Set(standbyDataDirs.map((d) => path.dirname(d)))) {
    const prefixes = standbyDataDirs.filter((d) => path.dirname(d) === parent).map((d) => `.${path.basename(d)}${BESIDE_INFIX}`);
    const names = await readdir(parent).catch(() => [] as string[]);
    for (const name of names.filter((n) => prefixes.some((p) => n.startsWith(p)))) found.add(path.join(parent, name));
  }
  return [...found];
}

// The data directories on this machine of the standbys given: beside them is where their cold copies may be.
export function localDataDirs(standbys: readonly PgNode[]): string[] {
  return standbys.filter((n) => !n.machine.remote).map((n) => n.dataDir);
}

// Remove every cold copy (up's own at its end, any a killed run left behind) and the records of those removed.
// Returns what could not be removed (with why), so a caller ending a run can say it without losing its own error.
export async function removeColdCopies(runDir: string, standbyDataDirs: readonly string[]): Promise<string[]> {
  const left: string[] = [];
  const records = await recordedPlaces(runDir);
  for (const dir of await findColdCopies(runDir, standbyDataDirs, records)) {
    await rm(dir, { recursive: true, force: true }).catch((error: Error) => left.push(`${dir} (${error.message})`));
  }
  for (const { record, dir } of records) {
    if (!dir || !existsSync(dir)) await rm(record, { force: true });
  }
  return left;
}
