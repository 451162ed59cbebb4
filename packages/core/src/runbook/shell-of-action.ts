import path from 'node:path';
import { type Action, secretHeld } from '../executor/action.js';
import { quoteLiteral, quoteShellArg } from '../postgres/quoting.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import type { RunbookTarget } from './runbook-target.js';
import { remoteNodeOf } from './remote-runbook-node.js';
import { remoteShellOfAction } from './remote-shell-of-action.js';

const q = quoteShellArg;

// The POSIX shell lines that do what an action does, using the helpers the runbook script defines (as_server,
// sql_at, PGBIN); an action that cannot be scripted becomes a comment saying what to do instead.
export function shellOfAction(action: Action, target: RunbookTarget): string[] {
  const remote = remoteNodeOf(action, target);
  const there = remote && remoteShellOfAction(action, remote, target, (a) => shellOfAction(a, target));
  if (there) return there;
  switch (action.kind) {
    case 'sql': {
      const node = target.nodes[action.node];
      if (action.display !== undefined || !node) return [`# by hand on ${action.node}: ${maskSecrets(action.display ?? action.sql)}`];
      const sql = maskSecrets(inlineParams(action.sql, action.params ?? []));
      return [`sql_at ${q(node.host)} ${node.port} ${q(action.database ?? 'postgres')} -c ${q(sql)}`];
    }
    case 'write-file': {
      if (action.secret && action.byHand?.sh) return action.byHand.sh.split('\n');
      if (action.secret) return [`# by hand: write ${action.path} (mode ${(action.mode ?? 0o600).toString(8)}); its content is ${secretHeld(action)} and is not shown`];
      const lines = writeFileLines(action.path, action.content);
      lines.push(`chmod ${(action.mode ?? 0o600).toString(8)} ${q(action.path)}`);
      if (action.owner === 'server') lines.push(`to_server ${q(action.path)}`);
      if (action.whenDirExists) return [`if [ -d ${q(path.dirname(action.path))} ]; then`, ...lines, 'fi'];
      return lines;
    }
    case 'remove-file':
      return [`rm -f -- ${q(action.path)}`];
    case 'mkdir':
      return [`mkdir -p -m ${action.mode.toString(8)} -- ${q(action.path)}`, ...(action.owner === 'server' ? [`to_server ${q(action.path)}`] : [])];
    case 'exec': {
      const env = Object.entries(action.env ?? {}).map(([k, v]) => `${k}=${q(maskSecrets(v))}`);
      const words = [...(env.length ? ['env', ...env] : []), q(action.command), ...action.args.map((a) => q(maskSecrets(a)))];
      const line = `${action.runAs === 'server' ? 'as_server ' : ''}${words.join(' ')}`;
      if (!action.otherwise?.length) return [line];
      // Not indented: a here-document's lines must stay as they are.
      return [`if ! ${line}; then`, 'echo "the command above failed; instead:" >&2', ...action.otherwise.flatMap((a) => shellOfAction(a, target)), 'fi'];
    }
    case 'node':
      return nodeLines(action, target);
    case 'remove-dir':
      return [`rm -rf -- ${q(action.path)}`];
    case 'move-aside':
      return [`mv -- ${q(action.path)} ${q(action.to)}`];
    case 'wait':
    case 'check':
    case 'task':
      return action.byHand?.sh ? action.byHand.sh.split('\n') : [`# by hand: ${action.summary}${action.byHand?.text ? ` (${action.byHand.text})` : ''}`];
    case 'record':
      return [`# hotstandby would record: ${action.summary}. Run by hand, its state file is not updated.`];
  }
}

function nodeLines(action: Extract<Action, { kind: 'node' }>, target: RunbookTarget): string[] {
  const node = target.nodes[action.node];
  if (!node) return [`# by hand: ${action.op} ${action.node}`];
  const pgCtl = `"$PGBIN"/pg_ctl`;
  const dir = `-D ${q(node.controlDir)}`;
  switch (action.op) {
    case 'start':
      return [`as_server ${pgCtl} start ${dir} -l ${q(node.logFile)} -w`];
    case 'stop':
      return [`as_server ${pgCtl} stop ${dir} -m ${action.mode ?? 'fast'} -w`];
    case 'restart':
      return [`as_server ${pgCtl} restart ${dir} -l ${q(node.logFile)} -m fast -w`];
    case 'reload':
      return [`as_server ${pgCtl} reload ${dir}`];
    case 'promote':
      return [`as_server ${pgCtl} promote ${dir} -w`];
  }
}

// SQL with its $1.. parameters written in as literals, for a person to paste into psql.
export function inlineParams(sql: string, params: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (whole, n: string) => {
    const value = params[Number(n) - 1];
    if (value === undefined) return whole;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value === null) return 'NULL';
    return quoteLiteral(typeof value === 'string' ? value : JSON.stringify(value));
  });
}

// A file's whole content through a quoted here-document (nothing in it is expanded), or an empty file.
function writeFileLines(file: string, content: string): string[] {
  if (content === '') return [`: > ${q(file)}`];
  let marker = 'HOTSTANDBY_EOF';
  while (content.split('\n').includes(marker)) marker += '_';
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  const write = content.endsWith('\n') ? `cat > ${q(file)} <<'${marker}'` : `head -c -1 > ${q(file)} <<'${marker}'`;
  return [`mkdir -p -- ${q(path.dirname(file))}`, write, ...body.split('\n'), marker];
}
