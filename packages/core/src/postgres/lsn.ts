// WAL positions ("0/3000060") as bigints, for comparing and measuring lag.

// The LSN text as a 64-bit number.
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]+)\/([0-9A-Fa-f]+)$/.exec(lsn.trim());
  if (!m) throw new RangeError(`"${lsn}" is not a WAL position (expected like 0/3000060)`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

// The number back in PostgreSQL's X/Y form.
export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
}

// Bytes from b to a (a − b), never negative.
export function lsnDiff(a: string, b: string): number {
  const d = parseLsn(a) - parseLsn(b);
  return d > 0n ? Number(d) : 0;
}

// True when a is at or after b.
export function lsnReached(a: string | null | undefined, b: string): boolean {
  return a != null && parseLsn(a) >= parseLsn(b);
}

// True when a is strictly after b.
export function lsnAfter(a: string | null | undefined, b: string): boolean {
  return a != null && parseLsn(a) > parseLsn(b);
}
