import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { parseConfLine, writeFileAtomic, type StepContext } from '@hotstandby/core';

// Settings of the upstream's postgresql.conf that name its own files; in the standby's copy they are
// commented out, so the standby uses its own data directory, pg_hba.conf and pid file.
const OWN_FILES = new Set(['data_directory', 'hba_file', 'ident_file', 'external_pid_file']);

// A base backup copies the data directory only. When the upstream keeps postgresql.conf, pg_hba.conf or
// pg_ident.conf elsewhere (Debian: /etc/postgresql/N/main), the standby gets copies of the files the server
// really reads: postgresql.conf with its own-file settings commented out and relative includes made absolute.
export async function copyOutsideConfig(ctx: StepContext, target: string): Promise<string[]> {
  const upstream = ctx.upstream!;
  const row = await upstream.queryOne<{ data: string; config: string; hba: string; ident: string }>(
    "SELECT current_setting('data_directory') AS data, current_setting('config_file') AS config, current_setting('hba_file') AS hba, current_setting('ident_file') AS ident",
  );
  if (!row) return [];
  const dataDir = await realpath(row.data);
  const outside = async (file: string) => path.dirname(await realpath(file).catch(() => file)) !== dataDir;
  const attrs = { mode: 0o600, uid: ctx.serverUser.uid, gid: ctx.serverUser.gid };
  const copied: string[] = [];
  if (await outside(row.config)) {
    await writeFileAtomic(path.join(target, 'postgresql.conf'), standbyConfCopy(await readFile(row.config, 'utf8'), path.dirname(row.config)), attrs);
    copied.push(row.config);
  }
  for (const [file, name] of [[row.hba, 'pg_hba.conf'], [row.ident, 'pg_ident.conf']] as const) {
    if (await outside(file)) {
      await writeFileAtomic(path.join(target, name), await readFile(file), attrs);
      copied.push(file);
    }
  }
  return copied;
}

// The upstream's postgresql.conf as the standby's own: own-file settings commented out, includes absolute.
export function standbyConfCopy(content: string, configDir: string): string {
  return content
    .split('\n')
    .map((raw) => {
      const line = parseConfLine(raw.replace(/\r$/, ''));
      if (line.kind === 'setting' && OWN_FILES.has(line.name)) return `#hotstandby: ${raw}   # the upstream's own file; this standby uses its own`;
      if (line.kind === 'include' && !path.isAbsolute(line.path)) {
        return `${line.directive} = '${path.resolve(configDir, line.path).replace(/'/g, "''")}'   # hotstandby: was '${line.path}', relative to ${configDir}`;
      }
      return raw;
    })
    .join('\n');
}
