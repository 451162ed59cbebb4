import { HotstandbyError, type StepContext } from '@hotstandby/core';
import { WATCHED, type CurrentSetting } from './desired-settings.js';

// The watched settings as the running primary reports them.
export async function readSettings(ctx: StepContext): Promise<Map<string, CurrentSetting>> {
  const rows = await ctx.primary.query<CurrentSetting>('SELECT name, setting, source, context FROM pg_settings WHERE name = ANY($1)', [[...WATCHED]]);
  return new Map(rows.map((r) => [r.name, r]));
}

// Refuse when a setting to change is fixed on the server's command line, which no configuration file can override.
export function refuseCommandLine(ctx: StepContext, settings: ReadonlyMap<string, CurrentSetting>, names: readonly string[]): void {
  for (const name of names) {
    const s = settings.get(name);
    if (s && (s.source === 'command line' || s.source === 'environment variable')) {
      throw new HotstandbyError('SETTING_OVERRIDDEN', `${name} is set to ${s.setting} on ${ctx.primary.name}'s ${s.source}, which overrides every configuration file`, {
        where: { node: ctx.primary.name, step: 'wal-config' },
        fix: `remove -c ${name}=... from how the server is started (pg_ctl -o, systemd unit), then run again`,
      });
    }
  }
}

// Settings the user changed in a configuration file that take effect only at the next start: pending_restart after
// a reload, or "setting could not be applied" on a postmaster-context setting whose value is well-formed (the
// server reports an invalid value with the same words, and that one stays a configuration error).
export async function pendingRestartSettings(ctx: StepContext): Promise<string[]> {
  const rows = await ctx.primary.query<{ name: string; value: string; vartype: string; enumvals: string[] | null; pending: boolean }>(
    'SELECT f.name, f.setting AS value, s.vartype, s.enumvals, s.pending_restart AS pending FROM pg_file_settings f JOIN pg_settings s ON s.name = f.name ' +
      "WHERE (f.error = 'setting could not be applied' AND s.context = 'postmaster') OR s.pending_restart",
  );
  return [...new Set(rows.filter((r) => r.pending || wellFormed(r.value, r.vartype, r.enumvals)).map((r) => r.name))].sort();
}

// True when a value has the form PostgreSQL accepts for a setting of this type (numbers with an optional unit).
function wellFormed(value: string, vartype: string, enumvals: string[] | null): boolean {
  const v = value.trim();
  if (vartype === 'bool') return /^(on|off|true|false|yes|no|1|0)$/i.test(v);
  if (vartype === 'enum') return (enumvals ?? []).some((e) => e.toLowerCase() === v.toLowerCase());
  if (vartype === 'integer' || vartype === 'real') return /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?\s*(B|kB|MB|GB|TB|us|ms|s|min|h|d)?$/.test(v) || /^0x[0-9a-f]+$/i.test(v);
  return true;
}

// Refuse to reload or restart over configuration files PostgreSQL reports errors in. Settings that were just
// written and only take effect at a restart show up as "setting could not be applied" until then; those named
// in awaitingRestart are not errors.
export async function checkConfigFiles(ctx: StepContext, awaitingRestart: readonly string[] = []): Promise<void> {
  const all = await ctx.primary.query<{ sourcefile: string; sourceline: number; error: string; name: string | null }>(
    'SELECT sourcefile, sourceline, error, name FROM pg_file_settings WHERE error IS NOT NULL',
  );
  const rows = all.filter((r) => !(r.error === 'setting could not be applied' && r.name !== null && awaitingRestart.includes(r.name)));
  if (rows.length === 0) return;
  const r = rows[0]!;
  throw new HotstandbyError('CONFIG_FILE_ERRORS', `${r.sourcefile}:${r.sourceline}: ${r.error}${r.name ? ` (${r.name})` : ''}`, {
    where: { node: ctx.primary.name, file: r.sourcefile, line: r.sourceline },
    fix: 'fix that line first; hotstandby will not reload or restart a server over a broken configuration',
  });
}
