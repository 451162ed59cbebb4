import { HotstandbyError, type ErrorLocation } from '../errors/hotstandby-error.js';
import type { ClusterRuntime } from './cluster-runtime.js';

// pg_ctl starts the server through /bin/sh -c 'exec "…/postgres" -D "DATADIR" … >> "LOGFILE" 2>&1': every path
// inside double quotes, where the shell still expands $ and ` and where " and \ end or escape the quoting. A path
// holding one of them cannot be started (spaces and single quotes are fine). Windows paths use \ as separator and
// pg_ctl quotes them for cmd.exe, so this is a POSIX concern only.
const SHELL_ACTIVE = ['$', '`', '"', '\\'] as const;

// The first character of p that a double-quoted /bin/sh string would not keep as it is, if any.
export function shellActiveCharacter(p: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  let first: { ch: string; at: number } | undefined;
  for (const ch of SHELL_ACTIVE) {
    const at = p.indexOf(ch);
    if (at >= 0 && (!first || at < first.at)) first = { ch, at };
  }
  return first?.ch;
}

// How a character is named in messages (a bare backslash or quote is easy to miss).
export function describeCharacter(ch: string): string {
  const names: Record<string, string> = { $: 'a dollar sign ($)', '`': 'a backtick (`)', '"': 'a double quote (")', '\\': 'a backslash (\\)' };
  return names[ch] ?? `"${ch}"`;
}

// The refusal for a path with such a character: what, which path, and how to choose another.
export function shellActivePathError(target: string, what: string, ch: string, fix: string, where: ErrorLocation = {}): HotstandbyError {
  return new HotstandbyError(
    'CONFIG_INVALID',
    `${what} (${target}) contains ${describeCharacter(ch)}: pg_ctl passes the data directory and the log file (kept in the state directory) to the server through /bin/sh inside double quotes, where $, \`, " and \\ do not stay as they are, so the server could not be started`,
    { where, fix: `${fix} (spaces and single quotes are fine)` },
  );
}

// Refuse, before anything is created, a state, data, configuration, archive or binaries path pg_ctl cannot pass
// through the shell. The fix names the config key, or the project directory when every relative path inherits
// the character from it.
export function checkShellSafePaths(rt: ClusterRuntime): void {
  const { source } = rt.spec;
  const file = source.path;
  const inConfig = file ? `in ${file}` : 'in the config';
  const fromDir = shellActiveCharacter(source.dir);
  const fixFor = (setting: string) =>
    fromDir
      ? `move the project out of ${source.dir} (relative paths are resolved against it) to a directory whose path has no $, \`, " or \\, or set ${setting} ${inConfig} to an absolute path without them`
      : `set ${setting} ${inConfig} to a path without $, \`, " or \\`;
  const paths: { target: string; what: string; fix: string; key?: string; node?: string }[] = [
    { target: rt.layout.root, what: 'the state directory', fix: fixFor('"stateDir"'), key: 'stateDir' },
    {
      target: rt.binaries.binDir,
      what: 'the PostgreSQL binaries directory',
      fix: 'use PostgreSQL binaries installed under a path without $, `, " or \\ (postgres.binDir)',
      key: 'postgres.binDir',
    },
    ...rt.nodes.flatMap((n) => [
      {
        target: n.dataDir,
        what: `the data directory of ${n.name}`,
        fix: fixFor(`the "dataDir" of ${n.name}`),
        node: n.name,
        key: n === rt.primary ? 'primary.dataDir' : `standbys[${rt.standbys.indexOf(n)}].dataDir`,
      },
      ...(n.controlDir !== n.dataDir
        ? [
            {
              target: n.controlDir,
              what: `the configuration directory of ${n.name}`,
              fix: `move the configuration of ${n.name} to a directory without $, \`, " or \\`,
              node: n.name,
            },
          ]
        : []),
    ]),
    ...(rt.spec.archive ? [{ target: rt.spec.archive.dir, what: 'the WAL archive directory', fix: fixFor('"archive.dir"'), key: 'archive.dir' }] : []),
  ];
  for (const { target, what, fix, key, node } of paths) {
    const control = controlCharacter(target);
    if (control) throw controlCharacterPathError(target, what, control, { key, node, file });
    const ch = shellActiveCharacter(target);
    if (ch) throw shellActivePathError(target, what, ch, fix, { key, node, file });
  }
}

// The first line break or other control character in p, if any.
function controlCharacter(p: string): string | undefined {
  return /[\u0000-\u001f\u007f]/.exec(p)?.[0];
}

// A line break (or tab, or any control character) in a path cannot be written into postgresql.conf, recovery
// settings or the scripts, and is almost always a typing accident.
function controlCharacterPathError(target: string, what: string, ch: string, where: ErrorLocation): HotstandbyError {
  const name = ch === '\n' || ch === '\r' ? 'a line break' : ch === '\t' ? 'a tab' : `a control character (code ${ch.charCodeAt(0)})`;
  const setting = where.key ?? (where.node ? `the "dataDir" of ${where.node}` : 'that path');
  return new HotstandbyError('CONFIG_INVALID', `${what} (${JSON.stringify(target)}) contains ${name}: PostgreSQL's configuration files and the start scripts cannot hold it`, {
    where,
    fix: `set ${setting}${where.file ? ` in ${where.file}` : ''} to a path on one line, without control characters`,
  });
}
