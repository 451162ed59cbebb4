import { describe, expect, it } from 'vitest';
import { renderTable } from '../../src/output/table.js';

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
