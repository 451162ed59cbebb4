import { existsSync } from 'node:fs';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { NodeHostSpec } from '../config/cluster-spec.js';
import { sshCommandLine, sshTargetLabel } from '../hosts/ssh-target.js';
import { quoteShellArg } from '../postgres/quoting.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// The command that deletes a directory, for a user who keeps it now and wants it gone later (remove-standby
// --purge only works while the standby is still part of the cluster).
// On another host (host: how ssh reaches it), the command runs there.
export function deleteItYourself(dir: string, host?: NodeHostSpec): string {
  if (host) return `to delete it later, do it yourself: ${sshCommandLine(host, ['rm', '-rf', '--', dir]).map(quoteShellArg).join(' ')}`;
  const local = process.platform === 'win32' ? `rmdir /s /q "${dir}"` : `rm -rf ${quoteShellArg(dir)}`;
  return `to delete it later, do it yourself: ${local}`;
}

// remove-standby NAME for a node that is not a standby (any more): says when it was removed earlier, and where
// the data directory it kept is.
export function notAStandbyError(rt: ClusterRuntime, name: string): HotstandbyError {
  const where = { node: name };
  const removed = rt.state.topology?.removed?.includes(name);
  const configured = rt.configSpec.standbys.find((s) => s.name === name);
  if (removed && configured) {
    // A standby on another host: its directory is there (not looked at: the command has no connection to it now).
    const there = configured.host;
    const kept =
      there || existsSync(configured.dataDir)
        ? `its data directory ${configured.dataDir}${there ? ` on ${sshTargetLabel(there)}` : ''} was kept; ${deleteItYourself(configured.dataDir, there)}`
        : 'there is nothing left to remove';
    return new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is no longer a standby of this cluster: it was removed with remove-standby before`, {
      where,
      fix: `${kept} (and you may delete ${name} from ${rt.configSpec.source.path ?? 'the config'})`,
    });
  }
  return new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster`, {
    where,
    fix: `standbys: ${rt.spec.standbys.map((s) => s.name).join(', ') || '(none)'}; a standby removed before is gone, and a data directory it kept is yours to delete`,
  });
}

// remove-standby NAME while other standbys stream from it: how to take each of them away first. A standby added
// with add-standby is not in the config, so only remove-standby takes it away; a config one can also be given
// another upstream in the config.
export function childrenStreamError(rt: ClusterRuntime, name: string, children: readonly string[]): HotstandbyError {
  const added = new Set((rt.state.topology?.added ?? []).map((a) => a.name));
  const fromConfig = children.filter((c) => !added.has(c));
  const commands = children.map((c) => `hotstandby remove-standby ${c}`).join(', then ');
  const file = rt.configSpec.source.path ?? 'the config';
  const otherUpstream = fromConfig.length > 0 ? `, or give ${fromConfig.join(', ')} another "upstream" in ${file}` : '';
  return new HotstandbyError('TOPOLOGY_CONFLICT', `${children.join(', ')} stream${children.length === 1 ? 's' : ''} from ${name}`, {
    where: { node: name },
    fix: `remove ${children.join(', ')} first (${commands})${otherUpstream}`,
  });
}
