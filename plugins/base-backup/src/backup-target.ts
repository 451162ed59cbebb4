import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { chownIfRoot, emptyDir, HotstandbyError, inspectDataDir, localMachine, type Machine, type StepContext } from '@hotstandby/core';
import { chmod } from 'node:fs/promises';

// Where a backup is built before it becomes the standby's data directory: a hidden sibling, renamed into place
// only when complete, so a crash never leaves something that looks like a finished standby.
export function partialDir(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.hotstandby-partial`);
}

// Partial backups left behind by an interrupted run (recognisable by name, so safe to remove), on the machine given.
export async function stalePartials(target: string, machine: Machine = localMachine): Promise<string[]> {
  const dir = path.dirname(target);
  const prefix = `.${path.basename(target)}.hotstandby-partial`;
  const names = (await machine.readdir(dir).catch(() => undefined)) ?? [];
  return names.filter((n) => n.startsWith(prefix)).map((n) => path.join(dir, n));
}

// What the standby's data directory currently is, for the backup decision.
export async function targetState(ctx: StepContext): Promise<'missing' | 'empty' | 'done'> {
  const info = await inspectDataDir(ctx.node.dataDir, ctx.node.machine);
  if (info.kind === 'absent') return 'missing';
  if (info.kind === 'empty') return 'empty';
  if (info.kind === 'cluster') return 'done';
  throw new HotstandbyError('DATA_DIR_CONFLICT', `the data directory of ${ctx.node.name} (${ctx.node.dataDir}) is not empty and holds no PostgreSQL cluster`, {
    where: { node: ctx.node.name },
    fix: 'point its dataDir at an empty directory or a path that does not exist yet',
  });
}

// The mode of the standby's top directory: the upstream's, which is 0750 when it allows group access (initdb -g,
// files 0640, which the backup copies) and 0700 otherwise, the only two PostgreSQL accepts.
export async function dataDirMode(ctx: StepContext): Promise<number> {
  const upstream = ctx.upstream!;
  const upstreamMode = (await upstream.machine.stat(upstream.dataDir).catch(() => undefined))?.mode ?? 0o700;
  return upstreamMode & 0o050 ? 0o750 : 0o700;
}

// Run a backup into a fresh partial directory and move it into place; on failure nothing is left behind. All of it
// happens on the standby's machine, as its server account.
export async function withPartialDirectory(ctx: StepContext, state: 'missing' | 'empty', build: (dir: string) => Promise<void>): Promise<void> {
  const machine = ctx.node.machine;
  const target = ctx.node.dataDir;
  const owner = ctx.node.osUser;
  const mode = await dataDirMode(ctx);
  if (state === 'empty') {
    // A directory the user made may have any mode; PostgreSQL insists on 0700 (0750 with group access) and its own OS user.
    await takeOver(machine, target, mode, owner);
    try {
      await build(target);
    } catch (error) {
      await emptyDirOn(machine, target);
      throw error;
    }
    return;
  }
  const work = `${partialDir(target)}-${randomBytes(3).toString('hex')}`;
  const top = await machine.mkdir(work, { mode, uid: owner.uid, gid: owner.gid, exact: true });
  try {
    await build(work);
    await machine.rename(work, target);
  } catch (error) {
    await machine.remove(work, { recursive: true });
    throw error;
  }
  // On another host recorded with its node, so a purge deletes it there (and never a local directory of the same
  // path); when directories above it were made too, the top-most of them.
  await ctx.recordCreated(top === undefined || top === work ? target : top, ctx.node);
}

// Give an existing directory the mode and owner a data directory needs (one command on another host).
async function takeOver(machine: Machine, dir: string, mode: number, owner: { uid: number; gid: number; name: string }): Promise<void> {
  if (!machine.remote) {
    await chmod(dir, mode);
    await chownIfRoot(dir, owner.uid, owner.gid);
    return;
  }
  await machine.run('sh', ['-c', 'chmod "$1" "$3" && chown "$2" "$3"', 'take-over', mode.toString(8), `${owner.uid}:${owner.gid}`, dir], {
    purpose: `give ${dir} mode ${mode.toString(8)} and to ${owner.name}`,
  });
}

// Remove everything in a directory, keeping the directory (one command on another host).
async function emptyDirOn(machine: Machine, dir: string): Promise<void> {
  if (!machine.remote) return emptyDir(dir);
  await machine.run('find', [dir, '-mindepth', '1', '-delete'], { purpose: `empty ${dir}` });
}
