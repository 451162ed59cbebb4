import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/util/crc32c.js';
import {
  controlSystemIdentifier,
  findControlCrcOffset,
  newSystemIdentifier,
  rewriteControlSystemIdentifier,
  walPageSystemIdentifier,
} from '../../src/postgres/system-identifier.js';

// A pg_control-shaped buffer: 8192 bytes, the identifier first, some fields, the CRC at crcOffset, zeros after.
function fakeControl(sysid: bigint, crcOffset: number): Buffer {
  const buf = Buffer.alloc(8192);
  buf.writeBigUInt64LE(sysid, 0);
  for (let i = 8; i < crcOffset; i++) buf[i] = (i * 37) & 0xff;
  buf.writeUInt32LE(crc32c(buf.subarray(0, crcOffset)), crcOffset);
  return buf;
}

describe('crc32c', () => {
  it('matches the standard check value of CRC-32C', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('pg_control system identifier rewrite', () => {
  it('finds the CRC wherever the major puts it', () => {
    for (const offset of [248, 288, 296, 304]) expect(findControlCrcOffset(fakeControl(7715735246895563054n, offset))).toBe(offset);
  });

  it('writes the new identifier and a CRC that matches the new bytes, changing nothing else', () => {
    const before = fakeControl(7715735246895563054n, 296);
    const after = rewriteControlSystemIdentifier(before, 7715735246895563999n);
    expect(controlSystemIdentifier(after)).toBe(7715735246895563999n);
    expect(after.readUInt32LE(296)).toBe(crc32c(after.subarray(0, 296)));
    expect(after.readUInt32LE(296)).not.toBe(before.readUInt32LE(296));
    expect(after.subarray(8, 296).equals(before.subarray(8, 296))).toBe(true);
    expect(after.subarray(300).equals(before.subarray(300))).toBe(true);
    expect(controlSystemIdentifier(before)).toBe(7715735246895563054n);
  });

  it('refuses bytes where no CRC fits', () => {
    const broken = fakeControl(1n, 296);
    broken[100] = broken[100]! ^ 0xff;
    expect(() => rewriteControlSystemIdentifier(broken, 2n)).toThrow(/no place where its checksum fits/);
  });

  it('refuses bytes where more than one CRC fits', () => {
    const twice = fakeControl(1n, 296);
    twice.writeUInt32LE(crc32c(twice.subarray(0, 400)), 400);
    expect(() => findControlCrcOffset(twice)).toThrow(/more than one place/);
  });
});

describe('WAL first page', () => {
  it('reads xlp_sysid at byte 24 of a long page header', () => {
    const page = Buffer.alloc(8192);
    page.writeUInt16LE(0xd110, 0);
    page.writeUInt16LE(0x0002, 2);
    page.writeBigUInt64LE(123456789012345n, 24);
    expect(walPageSystemIdentifier(page)).toBe(123456789012345n);
  });

  it('tells a zero-filled preallocated segment and a short header apart from a long header', () => {
    expect(walPageSystemIdentifier(Buffer.alloc(8192))).toBe('zero');
    const short = Buffer.alloc(8192);
    short.writeUInt16LE(0xd110, 0);
    short.writeBigUInt64LE(5n, 24);
    expect(walPageSystemIdentifier(short)).toBe('other');
  });
});

describe('newSystemIdentifier', () => {
  it('keeps the creation time in the upper 32 bits, as PostgreSQL does', () => {
    const at = new Date('2026-12-05T08:00:00Z');
    expect(newSystemIdentifier(at, Buffer.from([1, 0, 0, 0])) >> 32n).toBe(BigInt(at.getTime() / 1000));
    expect(newSystemIdentifier(at, Buffer.from([1, 0, 0, 0])) & 0xffffffffn).toBe(1n);
  });

  it('differs between two calls in the same instant', () => {
    const at = new Date();
    expect(newSystemIdentifier(at)).not.toBe(newSystemIdentifier(at));
  });
});
