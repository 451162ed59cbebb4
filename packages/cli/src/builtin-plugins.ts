import type { LoadedPlugin } from '@hotstandby/core';
import userCreation from '@hotstandby/plugin-user-creation';
import hbaConfig from '@hotstandby/plugin-hba-config';
import walConfig from '@hotstandby/plugin-wal-config';
import baseBackup from '@hotstandby/plugin-base-backup';
import recoveryConfig from '@hotstandby/plugin-recovery-config';
import verify from '@hotstandby/plugin-verify';

// The six steps of the recipe, with where they come from (shown by messages and, later, `hotstandby plugins`).
export const BUILTIN_PLUGINS: readonly LoadedPlugin[] = [
  { plugin: userCreation, origin: '@hotstandby/plugin-user-creation (built-in)' },
  { plugin: hbaConfig, origin: '@hotstandby/plugin-hba-config (built-in)' },
  { plugin: walConfig, origin: '@hotstandby/plugin-wal-config (built-in)' },
  { plugin: baseBackup, origin: '@hotstandby/plugin-base-backup (built-in)' },
  { plugin: recoveryConfig, origin: '@hotstandby/plugin-recovery-config (built-in)' },
  { plugin: verify, origin: '@hotstandby/plugin-verify (built-in)' },
];
