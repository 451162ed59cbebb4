import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Action } from '../executor/action.js';
import { passfileModeProblem } from '../postgres/passfile-mode.js';
import { pgpassLine } from '../postgres/quoting.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// Plan the state directory: its folders (each with the right owner), generated passwords, and a pgpass file
// with the superuser's password so `PGPASSFILE=.hotstandby/pgpass psql -h 127.0.0.1 -p PORT` just works. The
// notes say what was repaired (a passfile others could read).
export async function planStateDir(rt: ClusterRuntime): Promise<{ actions: Action[]; notes: string[] }> {
  const { layout } = rt;
  const actions: Action[] = [];
  const notes: string[] = [];
  const dir = (path: string, owner: 'server' | 'invoker', mode: number, what: string) => {
    if (!existsSync(path)) actions.push({ kind: 'mkdir', path, owner, mode, summary: `create ${what} ${path}` });
  };
  dir(layout.root, 'invoker', 0o755, 'the state directory');
  dir(layout.secretsDir, 'invoker', 0o700, 'the secrets directory');
  dir(layout.runDir, 'server', 0o700, 'the runtime directory');
  dir(layout.logsDir, 'server', 0o700, 'the log directory');
  for (const which of ['superuser', 'replication'] as const) {
    const pw = rt.passwords[which];
    if (pw?.source === 'generated') {
      actions.push({
        kind: 'write-file',
        path: layout.secretFile(which),
        content: pw.value + '\n',
        owner: 'invoker',
        mode: 0o600,
        secret: true,
        summary: `keep the generated ${which} password`,
      });
    }
  }
  const superuser = rt.passwords.superuser?.value;
  if (superuser) {
    const content = ['127.0.0.1', 'localhost'].map((host) => pgpassLine(host, '*', '*', rt.spec.superuser.name, superuser)).join('\n') + '\n';
    const current = await readFile(layout.userPassfile, 'utf8').catch(() => undefined);
    // One group or others can read is ignored by libpq (and shows the password to them): it is written again.
    const problem = current === undefined ? undefined : await passfileModeProblem(layout.userPassfile, process.getuid?.() ?? -1);
    if (current !== content || problem) {
      if (problem) notes.push(`repaired ${layout.userPassfile}: ${problem}; now 0600`);
      actions.push({ kind: 'write-file', path: layout.userPassfile, content, owner: 'invoker', mode: 0o600, secret: true, summary: `write ${layout.userPassfile} for psql` });
    }
  }
  return { actions, notes };
}
