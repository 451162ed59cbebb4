import path from 'node:path';
import { type Action, secretHeld } from '../executor/action.js';
import { atomicWriteScript } from '../hosts/remote-shell.js';
import { quoteShellArg } from '../postgres/quoting.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import { asServerThere, hostLabel, mkdirThere, oneLine, pgCtlThere, sshCommandWords, type RemoteRunbookNode } from './remote-runbook-node.js';
import type { RunbookTarget } from './runbook-target.js';

const q = quoteShellArg;

// The POSIX shell lines that do an action on a node of another host through ssh: programs run there (as the server
// account), files are written there atomically with their content on ssh's standard input (never in a command
// line), and a secret file or SQL becomes a comment saying what to do there by hand. undefined: not an action on a
// host (the caller scripts it here).
export function remoteShellOfAction(action: Action, node: RemoteRunbookNode, target: RunbookTarget, local: (a: Action) => string[]): string[] | undefined {
  const ssh = (words: readonly string[], withInput = false) => sshCommandWords(node, words, 'ssh', withInput).map(q).join(' ');
  const host = hostLabel(node);
  switch (action.kind) {
    case 'sql':
      return [`# by hand on ${host}: psql -p ${node.port} -d ${action.database ?? 'postgres'} as ${target.superuser}: ${maskSecrets(action.display ?? action.sql)}`];
    case 'write-file': {
      if (action.secret) return [`# by hand on ${host}: write ${action.path} (mode ${(action.mode ?? 0o600).toString(8)}); its content is ${secretHeld(action)} and is not shown`];
      const script = oneLine(atomicWriteScript(action.path, { mode: action.mode ?? 0o600, owner: action.owner === 'server' ? `${node.serverUser}:` : undefined }));
      const write = ssh(['sh', '-c', script], true);
      const lines = action.content === '' ? [`${write} < /dev/null`] : hereDocument(action.content, write);
      if (action.whenDirExists) return [`if ${ssh(['test', '-d', path.dirname(action.path)])}; then`, ...lines, 'fi'];
      return lines;
    }
    case 'remove-file':
      return [ssh(['rm', '-f', '--', action.path])];
    case 'mkdir':
      return [ssh(mkdirThere(action.path, action.mode, action.owner === 'server' ? node.serverUser : undefined))];
    case 'remove-dir':
      return [ssh(['rm', '-rf', '--', action.path])];
    case 'move-aside':
      return [ssh(['mv', '--', action.path, action.to])];
    case 'exec': {
      const env = Object.entries(action.env ?? {}).map(([k, v]) => `${k}=${maskSecrets(v)}`);
      const words = [...(env.length ? ['env', ...env] : []), action.command, ...action.args.map(maskSecrets)];
      const line = ssh(action.runAs === 'server' ? asServerThere(node, words) : words);
      if (!action.otherwise?.length) return [line];
      return [`if ! ${line}; then`, 'echo "the command above failed; instead:" >&2', ...action.otherwise.flatMap(local), 'fi'];
    }
    case 'node':
      return [ssh(pgCtlThere(node, target.binDir, action))];
    default:
      return undefined;
  }
}

// A here-document that feeds the content to a command (a final newline missing from the content is kept missing).
function hereDocument(content: string, command: string): string[] {
  let marker = 'HOTSTANDBY_EOF';
  while (content.split('\n').includes(marker)) marker += '_';
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  const first = content.endsWith('\n') ? `${command} <<'${marker}'` : `head -c -1 <<'${marker}' | ${command}`;
  return [first, ...body.split('\n'), marker];
}
