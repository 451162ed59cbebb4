import { localMachine } from '../hosts/local-machine.js';
import { pathsOn } from '../hosts/machine-paths.js';
import type { Machine } from '../hosts/machine.js';
import { parseMajor, type PgMajorNum } from './versions.js';

// What is at a path that should become (or already is) a data directory.
export type DataDirKind = 'absent' | 'empty' | 'cluster' | 'not-a-cluster' | 'not-a-directory';

// A data directory as found on disk.
export interface DataDirInfo {
  kind: DataDirKind;
  major?: PgMajorNum;
  systemIdentifier?: string;
  // A standby's data directory has standby.signal (12+) or recovery.conf (before 12).
  standbyMarker?: boolean;
}

// Look at a path without changing it (on the machine given, when it is another one: a host that cannot be reached
// is an error there, not an absent directory).
export async function inspectDataDir(dir: string, machine: Machine = localMachine): Promise<DataDirInfo> {
  const st = await machine.stat(dir);
  if (!st) return { kind: 'absent' };
  if (st.kind !== 'dir') return { kind: 'not-a-directory' };
  const entries = (await machine.readdir(dir)) ?? [];
  if (entries.length === 0) return { kind: 'empty' };
  if (!entries.includes('PG_VERSION')) return { kind: 'not-a-cluster' };
  const [version, systemIdentifier] = await Promise.all([
    machine.readFile(pathsOn(machine).join(dir, 'PG_VERSION')).then((bytes) => bytes?.toString('utf8').trim() ?? ''),
    readSystemIdentifier(dir, machine),
  ]);
  return {
    kind: 'cluster',
    major: version ? parseMajor(version) : undefined,
    systemIdentifier,
    standbyMarker: entries.includes('standby.signal') || entries.includes('recovery.conf'),
  };
}

// The database system identifier: the first 8 bytes (little-endian) of global/pg_control.
export async function readSystemIdentifier(dir: string, machine: Machine = localMachine): Promise<string | undefined> {
  const bytes = await machine.readFile(pathsOn(machine).join(dir, 'global', 'pg_control'));
  return bytes && bytes.length >= 8 ? bytes.readBigUInt64LE(0).toString() : undefined;
}

// The port a running postmaster recorded in postmaster.pid (line 4).
export async function readPostmasterPort(dir: string, machine: Machine = localMachine): Promise<number | undefined> {
  const text = (await machine.readFile(pathsOn(machine).join(dir, 'postmaster.pid')))?.toString('utf8');
  const port = Number(text?.split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}
