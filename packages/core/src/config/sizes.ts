// Sizes in config ("1GB", "512MB", 1024) as megabytes, the unit PostgreSQL uses for wal_keep_size.
const UNIT_MB: Record<string, number> = { b: 1 / (1024 * 1024), kb: 1 / 1024, mb: 1, gb: 1024, tb: 1024 * 1024 };

// Megabytes for a size; a bare number already means megabytes.
export function sizeToMb(size: string | number): number {
  if (typeof size === 'number') return size;
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(size);
  if (!m) throw new RangeError(`"${size}" is not a size`);
  const factor = UNIT_MB[(m[2] || 'mb').toLowerCase()];
  if (factor === undefined) throw new RangeError(`"${size}" has an unknown unit`);
  return Math.ceil(Number(m[1]) * factor);
}
