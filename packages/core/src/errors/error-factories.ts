import type { ConfigSource } from '../config/cluster-spec.js';
import { HotstandbyError, type ErrorLocation } from './hotstandby-error.js';

// The messages that recur across modules, worded once. Each returns the error; the caller throws it.

// How messages name a config: its file, the built-in default, or "the config" (an inline object).
export function configName(source: Pick<ConfigSource, 'kind' | 'path'>): string {
  return source.path ?? (source.kind === 'default' ? 'the built-in default config' : 'the config');
}

// A config that cannot be used: "invalid config in <file>: <what is wrong>", located at its key.
export function invalidConfig(
  source: Pick<ConfigSource, 'kind' | 'path'>,
  message: string,
  init: { code?: 'CONFIG_INVALID' | 'CONFIG_CONFLICT'; key?: string; plugin?: string; detail?: string; fix: string },
): HotstandbyError {
  const where: ErrorLocation = { file: source.path, key: init.key };
  if (init.plugin !== undefined) where.plugin = init.plugin;
  return new HotstandbyError(init.code ?? 'CONFIG_INVALID', `invalid config in ${configName(source)}: ${message}`, { where, detail: init.detail, fix: init.fix });
}

// A node must restart for settings that take effect only at server start, and --allow-restart was not given;
// raised before anything changed. `pending` names the user's own settings already waiting for a restart.
export function restartRequired(node: string, settings: readonly string[], init: { step?: string; pending?: string; fix?: string } = {}): HotstandbyError {
  const needs = settings.length > 0 ? ` for ${settings.join(', ')}` : '';
  const pending = init.pending ? `${needs ? '; also, ' : ': '}${init.pending}` : '';
  return new HotstandbyError('RESTART_REQUIRED', `${node} must restart${needs}${pending}; nothing was changed`, {
    where: init.step ? { node, step: init.step } : { node },
    fix: init.fix ?? 'run again with --allow-restart',
  });
}

// Two plugins give the same step name (first and second say where each comes from).
export function duplicateStep(name: string, first: string, second: string, init: { where: ErrorLocation; fix: string }): HotstandbyError {
  return new HotstandbyError('PLUGIN_INVALID', `two plugins define the step "${name}": ${first} and ${second}`, init);
}

// The pipeline lists a step that no loaded plugin provides.
export function unknownPipelineStep(name: string, known: readonly string[], init: { where: ErrorLocation; hint?: string }): HotstandbyError {
  return new HotstandbyError('PLUGIN_INVALID', `the pipeline names the step "${name}", which no plugin provides`, {
    where: init.where,
    fix: `known steps: ${known.join(', ')}${init.hint ? ` ${init.hint}` : ''}`,
  });
}

// The OS user that runs PostgreSQL cannot pass through a directory (no search permission) on the way to a path
// the servers need.
export function serverUserCannotReach(user: string, blocked: string, what: string, target: string): HotstandbyError {
  return new HotstandbyError('PATH_UNREACHABLE', `the OS user "${user}" that runs PostgreSQL cannot reach ${blocked}, on the way to ${what} (${target})`, {
    fix: `choose a location ${user} can reach (for example under /var/lib or /tmp), or let it through: chmod o+x ${blocked}`,
  });
}
