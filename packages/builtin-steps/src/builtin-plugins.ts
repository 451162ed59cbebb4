import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolvePackage, type LoadedPlugin, type StepPlugin } from '@hotstandby/core';
import userCreation from '@hotstandby/plugin-user-creation';
import hbaConfig from '@hotstandby/plugin-hba-config';
import walConfig from '@hotstandby/plugin-wal-config';
import baseBackup from '@hotstandby/plugin-base-backup';
import recoveryConfig from '@hotstandby/plugin-recovery-config';
import verify from '@hotstandby/plugin-verify';

const here = path.dirname(fileURLToPath(import.meta.url));

// A built-in step with where it comes from: "@hotstandby/plugin-verify@0.1.0 (built-in)".
function builtin(plugin: StepPlugin<any>, packageName: string): LoadedPlugin {
  const version = resolvePackage(packageName, here)?.version;
  return { plugin, origin: `${packageName}${version ? `@${version}` : ''} (built-in)`, builtin: true };
}

// The six steps of the recipe, with where they come from (shown by messages and `hotstandby plugins`). A config
// plugin with the same step name replaces one of them.
export const BUILTIN_PLUGINS: readonly LoadedPlugin[] = [
  builtin(userCreation, '@hotstandby/plugin-user-creation'),
  builtin(hbaConfig, '@hotstandby/plugin-hba-config'),
  builtin(walConfig, '@hotstandby/plugin-wal-config'),
  builtin(baseBackup, '@hotstandby/plugin-base-backup'),
  builtin(recoveryConfig, '@hotstandby/plugin-recovery-config'),
  builtin(verify, '@hotstandby/plugin-verify'),
];
