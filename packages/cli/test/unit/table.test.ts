import { describe, expect, it } from 'vitest';
import { formatBytes, renderTable } from '../../src/output/table.js';

describe('renderTable', () => {
  it('left-aligns columns to the widest cell with two spaces between them', () => {
    const text = renderTable(
      ['NODE', 'ROLE', 'PORT', 'STATE'],
      [
        ['master', 'primary', '5432', 'running'],
        ['slave1', 'standby', '5431', 'streaming'],
        ['s2', 'standby', '65535', 'stopped'],
      ],
    );
    expect(text.split('\n')).toEqual(['NODE    ROLE     PORT   STATE', 'master  primary  5432   running', 'slave1  standby  5431   streaming', 's2      standby  65535  stopped']);
  });

  it('does not pad the last column or leave trailing spaces', () => {
    const text = renderTable(
      ['A', 'B'],
      [
        ['x', ''],
        ['longer', 'y'],
      ],
    );
    expect(text.split('\n')).toEqual(['A       B', 'x', 'longer  y']);
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('prints just the header when there are no rows', () => {
    expect(renderTable(['NODE', 'PORT'], [])).toBe('NODE  PORT');
  });

  it('copes with rows shorter than the header', () => {
    expect(renderTable(['A', 'B', 'C'], [['1']]).split('\n')).toEqual(['A  B  C', '1']);
  });
});

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
