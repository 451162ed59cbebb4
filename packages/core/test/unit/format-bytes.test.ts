import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/util/format-bytes.js';

describe('formatBytes', () => {
  it.each([
    [null, '-'],
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 kB'],
    [1536, '1.5 kB'],
    [1024 * 1024 - 1, '1024.0 kB'],
    [1024 * 1024, '1.0 MB'],
    [16 * 1024 * 1024, '16.0 MB'],
    [5 * 1024 ** 3, '5.0 GB'],
    [2 * 1024 ** 4, '2.0 TB'],
    [3 * 1024 ** 5, '3072.0 TB'],
  ] as const)('formats %s as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
