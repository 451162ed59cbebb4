import { readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { createTestPrimary, type TestPrimary } from '@hotstandby/testing';
import { fileFacts, hashFiles } from './files.js';
import { withClient } from './pg.js';
import { clusterConfig, deferCleanup, type Project } from './project.js';

// The user's own lines, appended to their config files before hotstandby sees them.
export const USER_CONF_LINES = '\n# --- my own tuning (e2e), keep me ---\nwork_mem = 8MB   # a user comment after a setting\n';
export const USER_HBA_LINES = '\n# --- my application rule (e2e), keep me ---\nhost    all    app_user    127.0.0.1/32    scram-sha-256   # trailing comment\n';

// A user's own running PostgreSQL (made without hotstandby) with their own lines in postgresql.conf and
// pg_hba.conf, and a snapshot of every config file (hash, mode, owner) to compare against later.
export interface UsersPrimary {
  primary: TestPrimary;
  configFiles: string[];
  hashes: Record<string, string | null>;
  // The text of each file before hotstandby ran.
  contents: Record<string, string>;
  facts: Record<string, ReturnType<typeof fileFacts>>;
}

// Create it (stopped and removed after the test, after the project's own cleanup when created first).
export async function createUsersPrimary(): Promise<UsersPrimary> {
  const primary = await createTestPrimary();
  deferCleanup(() => primary.cleanup());
  await appendFile(path.join(primary.dataDir, 'postgresql.conf'), USER_CONF_LINES);
  await appendFile(path.join(primary.dataDir, 'pg_hba.conf'), USER_HBA_LINES);
  await primary.node.reload();
  const configFiles = ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'pg_ident.conf'].map((f) => path.join(primary.dataDir, f));
  return {
    primary,
    configFiles,
    hashes: hashFiles(configFiles),
    contents: Object.fromEntries(configFiles.map((f) => [f, readFileSync(f, 'utf8')])),
    facts: Object.fromEntries(configFiles.map((f) => [f, fileFacts(f)])),
  };
}

// What hotstandby may have added on the primary: roles and physical slots.
export async function rolesAndSlots(primary: TestPrimary, role = 'repuser'): Promise<{ roles: string[]; slots: string[] }> {
  return withClient(primary.port, primary.superuserPassword, async (client) => ({
    roles: (await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = $1', [role])).rows.map((r) => r.rolname),
    slots: (await client.query<{ slot_name: string }>('SELECT slot_name FROM pg_replication_slots ORDER BY 1')).rows.map((r) => r.slot_name),
  }));
}

// Write the project's config for adopting the user's primary (with its superuser password), optionally naming it;
// returns the config so a test can change it and write it again.
export async function writeAdoptingConfig(project: Project, primary: TestPrimary, name?: string): Promise<Record<string, unknown>> {
  const config = await clusterConfig({ superuser: { password: primary.superuserPassword } });
  config.primary = name === undefined ? { dataDir: primary.dataDir } : { name, dataDir: primary.dataDir };
  await project.writeConfig('hotstandby.config.json', config);
  return config;
}
