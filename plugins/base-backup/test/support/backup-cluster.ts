import { chown, mkdir } from 'node:fs/promises';
import type { LoadedPlugin } from '@hotstandby/core';
import type { TestCluster } from '@hotstandby/testing';
import userCreation from '@hotstandby/plugin-user-creation';
import hbaConfig from '@hotstandby/plugin-hba-config';
import walConfig from '@hotstandby/plugin-wal-config';
import baseBackup from '../../src/index.js';

// The pipeline up to this step: what a base backup needs before it (role, pg_hba rule, WAL settings), and the step.
export const PLUGINS: LoadedPlugin[] = [
  { plugin: userCreation, origin: 'test' },
  { plugin: hbaConfig, origin: 'test' },
  { plugin: walConfig, origin: 'test' },
  { plugin: baseBackup, origin: 'test' },
];
// The steps that prepare the primary for a backup.
export const PREPARE = ['user-creation', 'hba-config', 'wal-config'];

// A tablespace "extra" on the test primary at location (a directory made for it, owned by the server's account).
export async function createTablespace(tc: TestCluster, location: string): Promise<void> {
  await mkdir(location, { mode: 0o700 });
  await chown(location, tc.primary.serverUser.uid, tc.primary.serverUser.gid);
  await tc.primary.node.query(`CREATE TABLESPACE extra LOCATION '${location}'`);
}
