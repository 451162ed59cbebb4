import path from 'node:path';
import { HotstandbyError, parseConfLine, unquoteGucString, type Machine, type ServerUser, type StepContext } from '@hotstandby/core';

// Settings of the upstream's postgresql.conf that name its own files; in the standby's copy they are
// commented out, so the standby uses its own data directory, pg_hba.conf and pid file.
const OWN_FILES = new Set(['data_directory', 'hba_file', 'ident_file', 'external_pid_file']);

// Settings that belong to one server, by value: an absolute log directory (two servers would write one
// directory), and archive_mode = always (a standby would archive into the primary's archive too).
function perNodeSetting(name: string, value: string): boolean {
  if (OWN_FILES.has(name)) return true;
  if (name === 'log_directory') return path.isAbsolute(value);
  if (name === 'archive_mode') return value.toLowerCase() === 'always';
  return false;
}

// A base backup copies the data directory only. When the upstream keeps postgresql.conf, pg_hba.conf or
// pg_ident.conf elsewhere (Debian: /etc/postgresql/N/main), the standby gets copies of the files the server
// really reads: postgresql.conf with its per-node settings commented out and relative includes made absolute.
// When postgresql.conf is inside the data directory, the copy the backup made is rewritten the same way (the
// upstream's own file is never touched).
// The upstream's files are read on its machine, the copies written on the standby's (each may be another host).
export async function copyOutsideConfig(ctx: StepContext, target: string, owner: ServerUser = ctx.serverUser): Promise<string[]> {
  const upstream = ctx.upstream!;
  const from = upstream.machine;
  const to = ctx.node.machine;
  const [data, config, hba, ident] = await Promise.all(['data_directory', 'config_file', 'hba_file', 'ident_file'].map((s) => upstream.settingPath(s)));
  const row = { data: data!, config: config!, hba: hba!, ident: ident! };
  const dataDir = await from.realpath(row.data);
  const outside = async (file: string) => path.dirname(await from.realpath(file).catch(() => file)) !== dataDir;
  const attrs = { mode: 0o600, uid: owner.uid, gid: owner.gid };
  const copied: string[] = [];
  const targetConf = path.join(target, 'postgresql.conf');
  if (await outside(row.config)) {
    await to.writeFileAtomic(targetConf, standbyConfCopy((await readOn(from, row.config)).toString('utf8'), path.dirname(row.config)), attrs);
    copied.push(row.config);
  } else {
    const copy = (await to.readFile(targetConf).catch(() => undefined))?.toString('utf8');
    const own = copy === undefined ? undefined : standbyConfCopy(copy);
    if (copy !== undefined && own !== copy) await to.writeFileAtomic(targetConf, own!, attrs);
  }
  for (const [file, name] of [
    [row.hba, 'pg_hba.conf'],
    [row.ident, 'pg_ident.conf'],
  ] as const) {
    if (await outside(file)) {
      await to.writeFileAtomic(path.join(target, name), await readOn(from, file), attrs);
      copied.push(file);
    }
  }
  return copied;
}

// A file the server reads, on its machine (its absence is an error, as reading it here was).
async function readOn(machine: Machine, file: string): Promise<Buffer> {
  const bytes = await machine.readFile(file);
  if (bytes === undefined) {
    throw new HotstandbyError('PATH_UNREACHABLE', `${file} does not exist on ${machine.label}, though the server reports reading it`, {
      where: { host: machine.remote ? machine.label : undefined, file },
      fix: 'check the configuration file settings of the upstream (SHOW config_file, hba_file, ident_file)',
    });
  }
  return bytes;
}

// The upstream's postgresql.conf as the standby's own: per-node settings commented out; with configDir (the
// file came from outside the data directory) relative includes made absolute.
export function standbyConfCopy(content: string, configDir?: string): string {
  return content
    .split('\n')
    .map((raw) => {
      const line = parseConfLine(raw.replace(/\r$/, ''));
      if (line.kind === 'setting' && perNodeSetting(line.name, unquoteGucString(line.rawValue))) return `#hotstandby: ${raw}   # the upstream's own; this standby uses its own`;
      if (configDir && line.kind === 'include' && !path.isAbsolute(line.path)) {
        return `${line.directive} = '${path.resolve(configDir, line.path).replace(/'/g, "''")}'   # hotstandby: was '${line.path}', relative to ${configDir}`;
      }
      return raw;
    })
    .join('\n');
}

// Refuse, before anything changes, an upstream whose per-node settings come from a file other than its
// postgresql.conf (an included file, postgresql.auto.conf): a standby's copy would share them, and
// hotstandby rewrites only postgresql.conf in the copy.
export async function checkPerNodeSettings(ctx: StepContext): Promise<void> {
  const upstream = ctx.upstream!;
  const rows = await upstream.query<{ name: string; setting: string; sourcefile: string | null; sourceline: number | null; config: string }>(
    "SELECT name, setting, sourcefile, sourceline, current_setting('config_file') AS config FROM pg_settings WHERE source = 'configuration file' AND name = ANY($1)",
    [[...OWN_FILES, 'log_directory', 'archive_mode']],
  );
  for (const row of rows) {
    if (!row.sourcefile || row.sourcefile === row.config || !perNodeSetting(row.name, row.setting)) continue;
    const at = `${row.sourcefile}:${row.sourceline ?? '?'}`;
    const auto = path.basename(row.sourcefile) === 'postgresql.auto.conf';
    throw new HotstandbyError(
      'DATA_DIR_CONFLICT',
      `${row.name} = '${row.setting}' (set in ${at}) belongs to ${upstream.name} alone, but a base backup would give ${ctx.node.name} the same setting`,
      {
        where: { node: upstream.name, file: row.sourcefile, line: row.sourceline ?? undefined },
        fix: auto
          ? `run ALTER SYSTEM RESET ${row.name} on ${upstream.name} and set it in ${row.config} instead (hotstandby comments it out in each standby's copy), then run up again`
          : `move that line into ${row.config} (hotstandby comments it out in each standby's copy) or remove it, reload or restart ${upstream.name}, then run up again`,
      },
    );
  }
}
