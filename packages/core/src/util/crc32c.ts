// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum PostgreSQL keeps in pg_control and WAL.
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

// The CRC-32C of the bytes, as the unsigned 32-bit value PostgreSQL stores (little-endian on disk).
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// The CRC-32C of every prefix of the bytes whose length is a multiple of `step` (index i: the first i*step
// bytes), in one pass.
export function crc32cOfPrefixes(bytes: Uint8Array, step: number): Uint32Array {
  const out = new Uint32Array(Math.floor(bytes.length / step) + 1);
  let crc = 0xffffffff;
  out[0] = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
    if ((i + 1) % step === 0) out[(i + 1) / step] = (crc ^ 0xffffffff) >>> 0;
  }
  return out;
}
