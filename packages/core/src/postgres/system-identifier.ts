import { randomBytes } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import { crc32c, crc32cOfPrefixes } from '../util/crc32c.js';

// Where pg_control's CRC sits differs by major; the system identifier is always its first 8 bytes, and the CRC
// (crc32c of every byte before it) is the last field of ControlFileData.
export const PG_CONTROL_SYSID_OFFSET = 0;

// In a WAL segment's first page (XLogLongPageHeaderData): xlp_info is the uint16 at byte 2, and xlp_sysid the
// uint64 at byte 24 (after the 20-byte short header, padded to 8 on 64-bit platforms).
export const WAL_XLP_INFO_OFFSET = 2;
export const WAL_XLP_SYSID_OFFSET = 24;
export const XLP_LONG_HEADER = 0x0002;

// WAL segment file names: timeline, log and segment as 24 hex digits.
const WAL_SEGMENT_NAME = /^[0-9A-F]{24}$/;

// A new database system identifier as PostgreSQL's BootStrapXLOG shapes it (the creation time's seconds in the
// upper 32 bits), with the lower 32 bits random instead of microseconds and PID, so two copies made in the same
// microsecond by one process still differ.
export function newSystemIdentifier(now: Date = new Date(), random: Buffer = randomBytes(4)): bigint {
  const seconds = BigInt(Math.floor(now.getTime() / 1000)) & 0xffffffffn;
  return (seconds << 32n) | BigInt(random.readUInt32LE(0));
}

// The offset of pg_control's CRC: the one 4-byte-aligned k where crc32c(bytes[0..k)) equals the uint32 at k.
// Refuses when no offset or more than one matches (a layout this code does not know).
export function findControlCrcOffset(control: Buffer): number {
  const matches: number[] = [];
  const prefixes = crc32cOfPrefixes(control, 4);
  for (let k = 8; k + 4 <= control.length; k += 4) {
    if (prefixes[k / 4] === control.readUInt32LE(k)) matches.push(k);
  }
  if (matches.length !== 1) {
    throw new HotstandbyError(
      'DATA_DIR_CONFLICT',
      `pg_control has ${matches.length === 0 ? 'no' : 'more than one'} place where its checksum fits, so its layout is not one hotstandby knows`,
      {
        fix: 'create the cluster with initdb (run with --no-cache)',
      },
    );
  }
  return matches[0]!;
}

// The system identifier stored in pg_control's bytes.
export function controlSystemIdentifier(control: Buffer): bigint {
  return control.readBigUInt64LE(PG_CONTROL_SYSID_OFFSET);
}

// pg_control's bytes with another system identifier and the CRC computed again (a new buffer).
export function rewriteControlSystemIdentifier(control: Buffer, sysid: bigint): Buffer {
  const crcOffset = findControlCrcOffset(control);
  const out = Buffer.from(control);
  out.writeBigUInt64LE(sysid, PG_CONTROL_SYSID_OFFSET);
  out.writeUInt32LE(crc32c(out.subarray(0, crcOffset)), crcOffset);
  return out;
}

// What a WAL segment's first page says about its system identifier: 'zero' for a preallocated segment never
// written, 'other' for a page without a long header.
export function walPageSystemIdentifier(firstPage: Buffer): bigint | 'zero' | 'other' {
  if (firstPage.length < WAL_XLP_SYSID_OFFSET + 8) return 'other';
  if (firstPage.subarray(0, WAL_XLP_SYSID_OFFSET + 8).every((b) => b === 0)) return 'zero';
  if ((firstPage.readUInt16LE(WAL_XLP_INFO_OFFSET) & XLP_LONG_HEADER) === 0) return 'other';
  return firstPage.readBigUInt64LE(WAL_XLP_SYSID_OFFSET);
}

// What rewriteDataDirSystemIdentifier changed.
export interface SystemIdentifierRewrite {
  from: bigint;
  to: bigint;
  walSegments: string[];
}

// Give a stopped, cleanly shut down copy of a data directory its own system identifier: in pg_control and in the
// long header of every WAL segment's first page (the server refuses WAL whose xlp_sysid differs from pg_control).
// Every file is checked before the first one is written; a segment of another system or without a long header
// makes it refuse. pg_control is written last, so a copy interrupted half-way still names the old identifier
// everywhere but in WAL, and fails to start rather than pass as a new cluster.
export async function rewriteDataDirSystemIdentifier(dataDir: string, sysid: bigint = newSystemIdentifier()): Promise<SystemIdentifierRewrite> {
  const controlPath = path.join(dataDir, 'global', 'pg_control');
  const control = await readWhole(controlPath);
  const from = controlSystemIdentifier(control);
  if (from === sysid) throw new HotstandbyError('INTERNAL', 'the new system identifier equals the old one');
  const newControl = rewriteControlSystemIdentifier(control, sysid);
  const walDir = path.join(dataDir, 'pg_wal');
  const segments = (await readdir(walDir)).filter((name) => WAL_SEGMENT_NAME.test(name)).sort();
  const toRewrite: string[] = [];
  for (const name of segments) {
    const found = walPageSystemIdentifier(await readHead(path.join(walDir, name), WAL_XLP_SYSID_OFFSET + 8));
    if (found === 'zero') continue;
    if (found !== from) {
      throw new HotstandbyError(
        'DATA_DIR_CONFLICT',
        `the WAL segment ${name} in ${walDir} ${found === 'other' ? 'does not start with a long page header' : 'belongs to another database system'}`,
        {
          fix: 'create the cluster with initdb (run with --no-cache)',
        },
      );
    }
    toRewrite.push(name);
  }
  const sysidBytes = Buffer.alloc(8);
  sysidBytes.writeBigUInt64LE(sysid);
  for (const name of toRewrite) await writeAt(path.join(walDir, name), sysidBytes, WAL_XLP_SYSID_OFFSET);
  await writeAt(controlPath, newControl, 0);
  return { from, to: sysid, walSegments: toRewrite };
}

async function readWhole(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function writeAt(file: string, bytes: Buffer, position: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, position);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
