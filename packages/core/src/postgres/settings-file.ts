import path from 'node:path';
import { editAutoConf, editConfBlock } from './conf-file.js';
import type { VersionFacts } from './versions.js';

// Where hotstandby writes server settings for a major: postgresql.auto.conf (9.4+, read last, so it wins),
// or its block at the end of postgresql.conf before 9.4.
export function settingsFilePath(facts: VersionFacts, dataDir: string, configFile = path.join(dataDir, 'postgresql.conf')): string {
  return facts.autoConf ? path.join(dataDir, 'postgresql.auto.conf') : configFile;
}

// The settings file's content after the changes (undefined removes a setting).
export function editSettingsFile(facts: VersionFacts, current: string | undefined, changes: Record<string, string | undefined>): string {
  return facts.autoConf ? editAutoConf(current, changes) : editConfBlock(current, changes);
}
