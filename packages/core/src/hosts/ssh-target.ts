import { remoteCommandLine } from './remote-shell.js';
// How to reach a node's host with the system's OpenSSH client: the user's ~/.ssh/config, keys, agent,
// known_hosts and ProxyJump apply; these only add to them.
export interface SshTarget {
  // Host name or address, as ssh takes it (an alias from ~/.ssh/config works: ssh connects with it, and the other
  // hosts are given the HostName ssh -G resolves it to).
  host: string;
  user?: string;
  port?: number;
  identityFile?: string;
  // Extra `-o Key=Value` options, e.g. "StrictHostKeyChecking=yes".
  options?: readonly string[];
}

// The host as messages name it: "root@db2:2222".
export function sshTargetLabel(target: SshTarget): string {
  return `${target.user ? `${target.user}@` : ''}${target.host}${target.port ? `:${target.port}` : ''}`;
}

// The ssh arguments that address the target (everything before the remote command), never a secret: ssh never
// prompts (BatchMode), so a missing key or an unknown host key fails at once instead of hanging; a host that does not
// answer is given up after 5 s (ConnectTimeout), so a command that only reports on it (status, verify) never waits long.
export function sshTargetArgs(target: SshTarget): string[] {
  const args = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=3'];
  if (target.port) args.push('-p', String(target.port));
  if (target.identityFile) args.push('-i', target.identityFile, '-o', 'IdentitiesOnly=yes');
  for (const option of target.options ?? []) args.push('-o', option);
  if (target.user) args.push('-l', target.user);
  return args;
}

// The words of an ssh command line that runs a command on the target (every word quoted for the remote shell, the
// whole command one argument). withInput: the command reads standard input; otherwise ssh gets -n and leaves it alone.
export function sshCommandLine(target: SshTarget, words: readonly string[], options: { program?: string; withInput?: boolean } = {}): string[] {
  return [options.program ?? 'ssh', ...(options.withInput ? [] : ['-n']), ...sshTargetArgs(target), target.host, '--', remoteCommandLine(words)];
}

// The command a user runs by hand to see whether ssh reaches the target without a prompt.
export function sshProbeCommand(target: SshTarget): string {
  const words = [
    'ssh -o BatchMode=yes',
    target.port && `-p ${target.port}`,
    target.identityFile && `-i ${target.identityFile}`,
    `${target.user ? `${target.user}@` : ''}${target.host}`,
    'true',
  ];
  return words.filter(Boolean).join(' ');
}
