import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { coldCopyDir, findColdCopies, recordColdCopyPlace, removeColdCopies } from '../../src/cluster/cold-copy-places.js';
import { makeTempDir, removeTempDir } from './support/temp-dir.js';

let dir: string;
let runDir: string;

beforeEach(async () => {
  dir = await makeTempDir('hotstandby-cold-copy-places-');
  runDir = path.join(dir, 'state', 'run');
  await mkdir(runDir, { recursive: true, mode: 0o700 });
});

afterEach(async () => {
  await removeTempDir(dir);
});

// A directory with a file in it, as a copy or a look-alike would be.
async function makeDir(at: string): Promise<string> {
  await mkdir(at, { recursive: true });
  await writeFile(path.join(at, 'PG_VERSION'), '15\n');
  return at;
}

describe('where cold copies are taken', () => {
  it('beside a data directory that does not exist yet, as a hidden sibling named after it and the primary', async () => {
    await mkdir(path.join(dir, 'data'));
    const at = await coldCopyDir(runDir, 'primary', { name: 'standby1', dataDir: path.join(dir, 'data', 'standby1') });
    expect(at).toBe(path.join(dir, 'data', '.standby1.hotstandby-cold-copy-of-primary'));
  });

  it('in the run directory when the data directory exists (the user made it) or its parent does not', async () => {
    await makeDir(path.join(dir, 'mine', 'standby1'));
    expect(await coldCopyDir(runDir, 'primary', { name: 'standby1', dataDir: path.join(dir, 'mine', 'standby1') })).toBe(path.join(runDir, 'cold-copy-primary-for-standby1'));
    expect(await coldCopyDir(runDir, 'primary', { name: 'standby2', dataDir: path.join(dir, 'missing', 'standby2') })).toBe(path.join(runDir, 'cold-copy-primary-for-standby2'));
  });
});

describe('finding and removing the cold copies a run left', () => {
  it('finds copies beside the listed data directories and in the run directory, and leaves look-alikes alone', async () => {
    const data = path.join(dir, 'data');
    const beside = await makeDir(path.join(data, '.standby2.hotstandby-cold-copy-of-primary'));
    const inRun = await makeDir(path.join(runDir, 'cold-copy-primary-for-standby1'));
    const decoys = await Promise.all(
      [
        path.join(data, '.standby20.hotstandby-cold-copy-of-primary'),
        path.join(data, '.standby2.hotstandby-partial-abc123'),
        path.join(data, 'standby2'),
        path.join(runDir, 'other'),
      ].map(makeDir),
    );
    const dataDirs = [path.join(data, 'standby1'), path.join(data, 'standby2')];
    expect((await findColdCopies(runDir, dataDirs)).sort()).toEqual([beside, inRun].sort());
    expect(await removeColdCopies(runDir, dataDirs)).toEqual([]);
    expect(existsSync(beside) || existsSync(inRun)).toBe(false);
    for (const decoy of decoys) expect(existsSync(decoy), decoy).toBe(true);
  });

  it('finds a recorded copy beside a data directory the config no longer lists, and drops the record with it', async () => {
    const gone = path.join(dir, 'elsewhere', '.old.hotstandby-cold-copy-of-primary');
    await recordColdCopyPlace(runDir, gone);
    await makeDir(gone);
    expect(await findColdCopies(runDir, [])).toEqual([gone]);
    expect(await removeColdCopies(runDir, [])).toEqual([]);
    expect(existsSync(gone)).toBe(false);
    expect(await readdir(runDir)).toEqual([]);
  });

  it('never follows a record to a path that is not a cold copy', async () => {
    const precious = await makeDir(path.join(dir, 'precious'));
    await recordColdCopyPlace(runDir, precious);
    expect(await findColdCopies(runDir, [])).toEqual([]);
    await removeColdCopies(runDir, []);
    expect(existsSync(path.join(precious, 'PG_VERSION'))).toBe(true);
    // The useless record is dropped.
    expect(await readdir(runDir)).toEqual([]);
  });
});
