import { open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
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
export async function inspectDataDir(dir: string, machine?: Machine): Promise<DataDirInfo> {
  if (machine?.remote) return inspectRemoteDataDir(dir, machine);
  const st = await stat(dir).catch(() => undefined);
  if (!st) return { kind: 'absent' };
  if (!st.isDirectory()) return { kind: 'not-a-directory' };
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (entries.length === 0) return { kind: 'empty' };
  if (!entries.includes('PG_VERSION')) return { kind: 'not-a-cluster' };
  const version = (await readFile(path.join(dir, 'PG_VERSION'), 'utf8').catch(() => '')).trim();
  return {
    kind: 'cluster',
    major: version ? parseMajor(version) : undefined,
    systemIdentifier: await readSystemIdentifier(dir),
    standbyMarker: entries.includes('standby.signal') || entries.includes('recovery.conf'),
  };
}

async function inspectRemoteDataDir(dir: string, machine: Machine): Promise<DataDirInfo> {
  const st = await machine.stat(dir);
  if (!st) return { kind: 'absent' };
  if (st.kind !== 'dir') return { kind: 'not-a-directory' };
  const entries = (await machine.readdir(dir)) ?? [];
  if (entries.length === 0) return { kind: 'empty' };
  if (!entries.includes('PG_VERSION')) return { kind: 'not-a-cluster' };
  const version = ((await machine.readFile(path.posix.join(dir, 'PG_VERSION')))?.toString('utf8') ?? '').trim();
  return {
    kind: 'cluster',
    major: version ? parseMajor(version) : undefined,
    systemIdentifier: await readSystemIdentifier(dir, machine),
    standbyMarker: entries.includes('standby.signal') || entries.includes('recovery.conf'),
  };
}

// The database system identifier: the first 8 bytes (little-endian) of global/pg_control.
export async function readSystemIdentifier(dir: string, machine?: Machine): Promise<string | undefined> {
  if (machine?.remote) {
    const bytes = await machine.readFile(path.posix.join(dir, 'global', 'pg_control'));
    return bytes && bytes.length >= 8 ? bytes.readBigUInt64LE(0).toString() : undefined;
  }
  const handle = await open(path.join(dir, 'global', 'pg_control'), 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const buffer = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buffer, 0, 8, 0);
    return bytesRead === 8 ? buffer.readBigUInt64LE(0).toString() : undefined;
  } finally {
    await handle.close();
  }
}

// The port a running postmaster recorded in postmaster.pid (line 4).
export async function readPostmasterPort(dir: string, machine?: Machine): Promise<number | undefined> {
  const text = machine?.remote
    ? (await machine.readFile(path.posix.join(dir, 'postmaster.pid')))?.toString('utf8')
    : await readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const port = Number(text?.split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}
