import { HotstandbyError } from '../errors/hotstandby-error.js';
import { runProgramAllowFailure } from '../postgres/process-runner.js';
import { sshTargetArgs, sshTargetLabel, type SshTarget } from './ssh-target.js';

// What ssh makes of a target once it has read the user's config: the host name or address it really connects to
// (an alias's HostName). The user, port and keys the config gives the alias need nothing here: hotstandby connects
// with the alias, so ssh applies them (and ProxyJump) itself.
export interface ResolvedSshTarget {
  hostname: string;
}

// Ask ssh itself (`ssh -G`, which reads the config files and connects nowhere) how it would reach the target.
export async function resolveSshTarget(target: SshTarget, options: { signal?: AbortSignal } = {}): Promise<ResolvedSshTarget> {
  const label = sshTargetLabel(target);
  const result = await runProgramAllowFailure('ssh', ['-G', ...sshTargetArgs(target), target.host], {
    timeoutMs: 15_000,
    signal: options.signal,
    purpose: `ssh -G ${label}`,
  });
  const resolved = result.exitCode === 0 ? parseSshConfigDump(result.stdout) : undefined;
  if (!resolved) {
    throw new HotstandbyError('HOST_UNREACHABLE', `ssh cannot tell how to reach ${label}: ${(result.stderr || result.stdout).trim() || `ssh -G exited ${result.exitCode}`}`, {
      where: { host: label },
      fix: `make "ssh -G ${target.host}" print the host's settings (check ~/.ssh/config and the node's ssh options)`,
    });
  }
  return resolved;
}

// What matters here from `ssh -G` output (one "keyword value" a line, keywords in any case), or undefined when it
// names no host name.
export function parseSshConfigDump(output: string): ResolvedSshTarget | undefined {
  for (const line of output.split('\n')) {
    const match = /^(\S+)\s+(\S.*)$/.exec(line.trim());
    if (match && match[1]!.toLowerCase() === 'hostname') return { hostname: match[2]! };
  }
  return undefined;
}
