import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { inspectDataDir, type DataDirInfo } from '../postgres/data-dir.js';
import { readControlFacts, type ControlFacts } from '../postgres/pg-control.js';
import { formatLsn } from '../postgres/lsn.js';
import { parseMajor } from '../postgres/versions.js';
import type { Machine } from './machine.js';

const STATES: ControlFacts['state'][] = ['starting up', 'shut down', 'shut down in recovery', 'shutting down', 'in crash recovery', 'in archive recovery', 'in production'];

// What a data directory on a machine holds (inspectDataDir, asked on that machine; this machine's is read directly).
export async function inspectDataDirOn(machine: Machine, dir: string): Promise<DataDirInfo> {
  if (!machine.remote) return inspectDataDir(dir);
  const st = await machine.stat(dir);
  if (!st) return { kind: 'absent' };
  if (st.kind !== 'dir') return { kind: 'not-a-directory' };
  const entries = (await machine.readdir(dir)) ?? [];
  if (entries.length === 0) return { kind: 'empty' };
  if (!entries.includes('PG_VERSION')) return { kind: 'not-a-cluster' };
  const version = ((await machine.readFile(path.join(dir, 'PG_VERSION')))?.toString('utf8') ?? '').trim();
  const control = await machine.readFile(path.join(dir, 'global', 'pg_control'));
  return {
    kind: 'cluster',
    major: version ? parseMajor(version) : undefined,
    systemIdentifier: control && control.length >= 8 ? control.readBigUInt64LE(0).toString() : undefined,
    standbyMarker: entries.includes('standby.signal') || entries.includes('recovery.conf'),
  };
}

// What pg_control of a data directory on a machine says (readControlFacts, asked on that machine).
export async function readControlFactsOn(machine: Machine, dataDir: string): Promise<ControlFacts> {
  if (!machine.remote) return readControlFacts(dataDir);
  const buffer = await machine.readFile(path.join(dataDir, 'global', 'pg_control'));
  if (!buffer || buffer.length < 40) {
    throw new HotstandbyError('DATA_DIR_CONFLICT', `${path.join(dataDir, 'global', 'pg_control')} is missing or cut short on ${machine.label}`, {
      where: { host: machine.label, file: path.join(dataDir, 'global', 'pg_control') },
      fix: 'the data directory is damaged: rebuild that node',
    });
  }
  return { state: STATES[buffer.readUInt32LE(16)] ?? 'unknown', checkpoint: formatLsn(buffer.readBigUInt64LE(32)) };
}
