import { type Action, secretHeld } from '../executor/action.js';
import { atomicWriteScript } from '../hosts/remote-shell.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import type { CmdLines } from './cmd-of-action.js';
import { echoLines } from './cmd-echo-lines.js';
import { asServerThere, hostLabel, mkdirThere, oneLine, pgCtlThere, sshCommandWords, type RemoteRunbookNode } from './remote-runbook-node.js';
import type { RunbookTarget } from './runbook-target.js';

// The Windows cmd lines that do an action on a node of another host through ssh.exe, as the sh runbook does (the
// content of a file written there travels on ssh's standard input; a secret file or SQL is a remark to do by hand).
// undefined: not an action on a host (the caller scripts it here).
export function remoteCmdOfAction(
  action: Action,
  node: RemoteRunbookNode,
  target: RunbookTarget,
  quote: (value: string) => string,
  local: (a: Action) => CmdLines,
): CmdLines | undefined {
  const ssh = (words: readonly string[], withInput = false) => sshCommandWords(node, words, 'ssh.exe', withInput).map(quote).join(' ');
  const host = hostLabel(node);
  switch (action.kind) {
    case 'sql':
      return {
        run: [],
        remark: `by hand on ${host}: psql -p ${node.port} -d ${action.database ?? 'postgres'} as ${target.superuser}: ${maskSecrets(action.display ?? action.sql)}`,
      };
    case 'write-file': {
      if (action.secret) return { run: [], remark: `by hand on ${host}: write ${action.path}; its content is ${secretHeld(action)} and is not shown` };
      // echo( ends lines with CR LF: the carriage returns are dropped there.
      const script = oneLine(
        atomicWriteScript(action.path, { mode: action.mode ?? 0o600, owner: action.owner === 'server' ? `${node.serverUser}:` : undefined, receive: 'crlf-text' }),
      );
      const write = ssh(['sh', '-c', script], true);
      const lines = action.content === '' ? [`${write} < nul`] : ['(', ...echoLines(action.content), `) | ${write}`];
      if (action.whenDirExists) return { run: [`${ssh(['test', '-d', dirOf(action.path)])}`, 'if not errorlevel 1 (', ...lines, ')'] };
      return { run: lines };
    }
    case 'remove-file':
      return { run: [ssh(['rm', '-f', '--', action.path])] };
    case 'mkdir':
      return { run: [ssh(mkdirThere(action.path, action.mode, action.owner === 'server' ? node.serverUser : undefined))] };
    case 'remove-dir':
      return { run: [ssh(['rm', '-rf', '--', action.path])] };
    case 'move-aside':
      return { run: [ssh(['mv', '--', action.path, action.to])] };
    case 'exec': {
      const env = Object.entries(action.env ?? {}).map(([k, v]) => `${k}=${maskSecrets(v)}`);
      const words = [...(env.length ? ['env', ...env] : []), action.command, ...action.args.map(maskSecrets)];
      const line = ssh(action.runAs === 'server' ? asServerThere(node, words) : words);
      if (!action.otherwise?.length) return { run: [line] };
      const instead = action.otherwise.flatMap((a) => {
        const c = local(a);
        return c.run.length ? c.run : [`REM ${c.remark ?? ''}`];
      });
      return { run: [line, 'if errorlevel 1 (', 'echo the command above failed; instead: 1>&2', ...instead, ')'] };
    }
    case 'node':
      return { run: [ssh(pgCtlThere(node, target.binDir, action))] };
    default:
      return undefined;
  }
}

function dirOf(file: string): string {
  const i = file.lastIndexOf('/');
  return i > 0 ? file.slice(0, i) : file;
}
