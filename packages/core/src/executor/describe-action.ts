import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { localMachine } from '../hosts/local-machine.js';
import type { Machine } from '../hosts/machine.js';
import { describeCommand } from '../postgres/process-runner.js';
import { maskSecrets } from '../secrets/secret-registry.js';
import { type Action, secretHeld } from './action.js';
import { unifiedDiff } from './planned-diff.js';

// The lines --dry-run prints for an action: the SQL, the file change as a diff, or the command line. On a node of
// another host (machine), the first line names that host, and the diff is against the file there.
export async function describeAction(action: Action, serverUserName: string, machine: Machine = localMachine): Promise<string[]> {
  const lines = await describeUnmasked(action, serverUserName, machine);
  if (machine.remote && lines.length > 0 && action.kind !== 'sql') lines[0] = `${onHost(lines[0]!, machine)}`;
  return lines.map(maskSecrets);
}

// "run as postgres: pg_ctl ..." becomes "run as postgres on root@db2: pg_ctl ..."; any other line gets " on root@db2".
function onHost(line: string, machine: Machine): string {
  if (line.startsWith('run as ')) return line.replace(/^(run as [^:]+):/, `$1 on ${machine.label}:`);
  return `${line} on ${machine.label}`;
}

async function describeUnmasked(action: Action, serverUserName: string, machine: Machine): Promise<string[]> {
  switch (action.kind) {
    case 'sql': {
      const text = action.display ?? action.sql;
      const params = action.params?.length ? `   -- ${action.params.map((p, i) => `$${i + 1} = ${JSON.stringify(p)}`).join(', ')}` : '';
      return [`[${action.node}] SQL${action.database && action.database !== 'postgres' ? ` (${action.database})` : ''}: ${text}${params}`];
    }
    case 'write-file': {
      if (action.secret)
        return [
          `write ${action.path} (mode ${(action.mode ?? 0o600).toString(8)}, owner ${ownerName(action.owner, serverUserName)}; content hidden: it holds ${secretHeld(action)})`,
        ];
      const before =
        action.plannedBefore ?? (machine.remote ? (await machine.readFile(action.path))?.toString('utf8') : await readFile(action.path, 'utf8').catch(() => undefined));
      const when = action.whenDirExists ? ` (if ${path.dirname(action.path)} still exists then)` : '';
      return [`${before === undefined ? 'create' : 'edit'} ${action.path}${when}`, ...unifiedDiff(action.path, before, action.content)];
    }
    case 'remove-file':
      return [`remove ${action.path}`];
    case 'mkdir':
      return [`mkdir -m ${action.mode.toString(8)} ${action.path} (owner ${ownerName(action.owner, serverUserName)})`];
    case 'exec': {
      const env =
        action.env && Object.keys(action.env).length
          ? `${Object.keys(action.env)
              .map((k) => `${k}=…`)
              .join(' ')} `
          : '';
      const otherwise = action.otherwise?.length
        ? ['  if it fails, instead:', ...(await Promise.all(action.otherwise.map((a) => describeUnmasked(a, serverUserName, machine)))).flat().map((l) => `    ${l}`)]
        : [];
      return [`run as ${ownerName(action.runAs, serverUserName)}: ${env}${describeCommand(action.command, action.args)}`, ...otherwise];
    }
    case 'node': {
      const mode = action.op === 'stop' ? ` (${action.mode ?? 'fast'})` : '';
      return [`${action.op} ${action.node}${mode}${action.reasons?.length ? ` (for ${action.reasons.join(', ')})` : ''}`];
    }
    case 'task':
      return [action.summary, ...action.details.map((d) => `  ${d}`)];
    case 'remove-dir':
      return [`remove the directory ${action.path} (hotstandby created it)`];
    case 'move-aside':
      return [`move ${action.path} aside to ${action.to} (nothing in it is deleted)`];
    case 'wait':
      return [`wait (up to ${Math.round(action.timeoutMs / 1000)} s) for ${action.summary}`, ...byHandText(action.byHand)];
    case 'check':
      return [`check: ${action.summary}`, ...byHandText(action.byHand)];
    case 'record':
      return [`record in hotstandby's state: ${action.summary}`];
  }
}

function ownerName(owner: 'server' | 'invoker', serverUserName: string): string {
  return owner === 'server' ? serverUserName : 'you';
}

function byHandText(byHand: { text?: string }): string[] {
  return byHand.text ? [`  ${byHand.text}`] : [];
}
