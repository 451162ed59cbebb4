import { type Action, secretHeld } from '../executor/action.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import { inlineParams } from './shell-of-action.js';
import type { RunbookTarget } from './runbook-target.js';
import { remoteNodeOf } from './remote-runbook-node.js';
import { remoteCmdOfAction } from './remote-cmd-of-action.js';
import { echoLines } from './cmd-echo-lines.js';

// One argument for a .cmd file: double-quoted, with % doubled (batch expansion) and " escaped for the program.
export function quoteCmdArg(value: string): string {
  return `"${value.replace(/%/g, '%%').replace(/"/g, '\\"')}"`;
}

// What the Windows cmd lines of an action are: commands whose failure stops the runbook, or remarks.
export interface CmdLines {
  // Lines run as one command; the renderer checks errorlevel after them. Empty for a remark.
  run: string[];
  remark?: string;
}

// The Windows cmd lines that do what an action does, using the variables the runbook sets (PGBIN, PSQL); an
// action that cannot be scripted becomes a REM line saying what to do by hand.
export function cmdOfAction(action: Action, target: RunbookTarget): CmdLines {
  const byHand = (what: string): CmdLines => ({ run: [], remark: `by hand: ${maskSecrets(what)}` });
  const remote = remoteNodeOf(action, target);
  const there = remote && remoteCmdOfAction(action, remote, target, quoteCmdArg, (a) => cmdOfAction(a, target));
  if (there) return there;
  switch (action.kind) {
    case 'sql': {
      const node = target.nodes[action.node];
      if (action.display !== undefined || !node) return byHand(`on ${action.node}: ${action.display ?? action.sql}`);
      const sql = maskSecrets(inlineParams(action.sql, action.params ?? []));
      return {
        run: [
          `"%PSQL%" -X -q -v ON_ERROR_STOP=1 -h ${node.host} -p ${node.port} -U ${quoteCmdArg(target.superuser)} -d ${quoteCmdArg(action.database ?? 'postgres')} -c ${quoteCmdArg(sql)}`,
        ],
      };
    }
    case 'write-file': {
      if (action.secret && action.byHand?.cmd) return { run: action.byHand.cmd.split(/\r?\n/) };
      if (action.secret) return byHand(`write ${action.path}; its content is ${secretHeld(action)} and is not shown`);
      const lines = action.content === '' ? [`type nul > ${quoteCmdArg(action.path)}`] : echoBlock(action.path, action.content);
      if (action.whenDirExists) return { run: [`if exist ${quoteCmdArg(dirOf(action.path))} (`, ...lines, ')'] };
      return { run: lines };
    }
    case 'remove-file':
      return { run: [`if exist ${quoteCmdArg(action.path)} del /f /q ${quoteCmdArg(action.path)}`] };
    case 'mkdir':
      return { run: [`if not exist ${quoteCmdArg(action.path)} mkdir ${quoteCmdArg(action.path)}`] };
    case 'exec': {
      const env = Object.entries(action.env ?? {}).map(([k, v]) => `set "${k}=${maskSecrets(v).replace(/%/g, '%%')}"`);
      const line = `call ${quoteCmdArg(action.command)} ${action.args.map((a) => quoteCmdArg(maskSecrets(a))).join(' ')}`;
      if (!action.otherwise?.length) return { run: [...env, line] };
      const instead = action.otherwise.flatMap((a) => {
        const c = cmdOfAction(a, target);
        return c.run.length ? c.run : [`REM ${c.remark ?? ''}`];
      });
      return { run: [...env, line, 'if errorlevel 1 (', 'echo the command above failed; instead: 1>&2', ...instead, ')'] };
    }
    case 'node':
      return nodeLines(action, target);
    case 'remove-dir':
      return { run: [`if exist ${quoteCmdArg(action.path)} rmdir /s /q ${quoteCmdArg(action.path)}`] };
    case 'move-aside':
      return { run: [`move ${quoteCmdArg(action.path)} ${quoteCmdArg(action.to)}`] };
    case 'wait':
    case 'check':
    case 'task':
      return action.byHand?.cmd ? { run: action.byHand.cmd.split(/\r?\n/) } : byHand(`${action.summary}${action.byHand?.text ? ` (${action.byHand.text})` : ''}`);
    case 'record':
      return { run: [], remark: `hotstandby would record: ${action.summary}. Run by hand, its state file is not updated.` };
  }
}

function nodeLines(action: Extract<Action, { kind: 'node' }>, target: RunbookTarget): CmdLines {
  const node = target.nodes[action.node];
  if (!node) return { run: [], remark: `by hand: ${action.op} ${action.node}` };
  const pgCtl = `call "%PGBIN%\\pg_ctl"`;
  const dir = `-D ${quoteCmdArg(node.controlDir)}`;
  const op = {
    start: `start ${dir} -l ${quoteCmdArg(node.logFile)} -w`,
    stop: `stop ${dir} -m ${action.mode ?? 'fast'} -w`,
    restart: `restart ${dir} -l ${quoteCmdArg(node.logFile)} -m fast -w`,
    reload: `reload ${dir}`,
    promote: `promote ${dir} -w`,
  }[action.op];
  return { run: [`${pgCtl} ${op}`] };
}

// A file's content written line by line with echo( (nothing in it expanded: cmd's special characters escaped).
function echoBlock(file: string, content: string): string[] {
  return [`> ${quoteCmdArg(file)} (`, ...echoLines(content), ')'];
}

function dirOf(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i > 0 ? file.slice(0, i) : file;
}
