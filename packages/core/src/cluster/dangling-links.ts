import { lstat, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The first symbolic link on the way to p (p itself included) whose target does not exist, with that target.
export async function findDanglingLink(p: string): Promise<{ link: string; target: string } | undefined> {
  let current = path.resolve(p);
  for (;;) {
    const own = await lstat(current).catch(() => undefined);
    if (own?.isSymbolicLink() && !(await stat(current).catch(() => undefined))) {
      const target = await readlink(current);
      return { link: current, target: path.resolve(path.dirname(current), target) };
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

// Refuse, before anything is created, a data directory, state directory or archive that goes through a symbolic
// link to nothing: creating it would fail half-way (or create the link's target somewhere unexpected).
export async function checkNoDanglingLinks(rt: ClusterRuntime): Promise<void> {
  const file = rt.spec.source.path;
  const paths: { target: string; what: string; key: string; node?: string }[] = [
    { target: rt.layout.root, what: 'the state directory', key: 'stateDir' },
    // Nodes on other hosts: their paths are not on this machine (their hosts' preflight looks at them there).
    ...rt.nodes
      .filter((n) => !n.machine.remote)
      .map((n) => ({
        target: n.dataDir,
        what: `the data directory of ${n.name}`,
        node: n.name,
        key: n === rt.primary ? 'primary.dataDir' : `standbys[${rt.standbys.indexOf(n)}].dataDir`,
      })),
    ...(rt.spec.archive ? [{ target: rt.spec.archive.dir, what: 'the WAL archive', key: 'archive.dir' }] : []),
  ];
  for (const { target, what, key, node } of paths) {
    const dangling = await findDanglingLink(target);
    if (!dangling) continue;
    const through = dangling.link === path.resolve(target) ? '' : ` goes through ${dangling.link}, which`;
    throw new HotstandbyError('PATH_UNREACHABLE', `${what} (${target})${through} is a symbolic link to ${dangling.target}, which does not exist`, {
      where: { key, node, file },
      fix: `create ${dangling.target} (an empty directory), point the link somewhere that exists, or set ${key}${file ? ` in ${file}` : ''} to a real path`,
    });
  }
}
