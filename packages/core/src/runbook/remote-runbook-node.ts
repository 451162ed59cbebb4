import { actedOnNode, type Action } from '../executor/action.js';
import type { NodeHostSpec } from '../config/cluster-spec.js';
import { sshCommandLine, sshTargetLabel } from '../hosts/ssh-target.js';
import type { RunbookNode, RunbookTarget } from './runbook-target.js';

// A node of a runbook that lives on another host: how ssh reaches it and who runs its servers there.
export type RemoteRunbookNode = RunbookNode & { ssh: NodeHostSpec; serverUser: string };

// The node on another host an action happens on, or undefined when it happens on this machine (waits and checks
// name a node they look at, not one they change).
export function remoteNodeOf(action: Action, target: RunbookTarget): RemoteRunbookNode | undefined {
  const name = actedOnNode(action);
  const node = name === undefined ? undefined : target.nodes[name];
  return node?.ssh && node.serverUser ? (node as RemoteRunbookNode) : undefined;
}

// The ssh words that reach the node's host (never prompting), then the remote command as one argument, every word
// quoted for the remote shell. withInput: the command reads the runbook's standard input (file content); otherwise
// ssh gets -n so it leaves the script's input alone.
export function sshCommandWords(node: RemoteRunbookNode, words: readonly string[], program: string, withInput = false): string[] {
  return sshCommandLine(node.ssh, words, { program, withInput });
}

// The words that run a program there as the server account when ssh logs in as root, as the login otherwise.
export function asServerThere(node: RemoteRunbookNode, words: readonly string[]): string[] {
  return ['sh', '-c', 'if [ "$(id -u)" = 0 ]; then exec runuser -u "$0" -- "$@"; else exec "$@"; fi', node.serverUser, ...words];
}

// The words that make a directory there (parents too) and give it to the server account when ssh logs in as root.
export function mkdirThere(path: string, mode: number, owner: string | undefined): string[] {
  return ['sh', '-c', 'mkdir -p -m "$1" -- "$2" && { [ -z "$3" ] || [ "$(id -u)" != 0 ] || chown -- "$3:" "$2"; }', 'mkdir', mode.toString(8), path, owner ?? ''];
}

// The pg_ctl words of a node operation there (pg_ctl of the node's own binaries).
export function pgCtlThere(node: RemoteRunbookNode, binDir: string, op: Extract<Action, { kind: 'node' }>): string[] {
  const pgCtl = `${node.binDir ?? binDir}/pg_ctl`;
  const dir = ['-D', node.controlDir];
  const args = {
    start: ['start', ...dir, '-l', node.logFile, '-w'],
    stop: ['stop', ...dir, '-m', op.mode ?? 'fast', '-w'],
    restart: ['restart', ...dir, '-l', node.logFile, '-m', 'fast', '-w'],
    reload: ['reload', ...dir],
    promote: ['promote', ...dir, '-w'],
  }[op.op];
  return asServerThere(node, [pgCtl, ...args]);
}

// A multi-line script as one line (a cmd line cannot span lines, and a runbook line reads better): every line of
// the scripts used here is a complete command.
export function oneLine(script: string): string {
  return script.split('\n').join('; ');
}

// How runbook comments name the host: "root@db2".
export function hostLabel(node: RemoteRunbookNode): string {
  return sshTargetLabel(node.ssh);
}
