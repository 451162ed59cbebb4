import { describe, expect, it } from 'vitest';
import { mappedLocation, primaryLocationOf, tablespaceMappingArg, tablespaceMappingOption } from '../../src/tablespace-mapping.js';

describe('tablespace mapping', () => {
  const mapping = { '/srv/pg/ts1': '/srv/pg/ts1-{node}', '/srv/pg/ts2': '/srv/other/{node}/ts2' };

  it('puts the standby name wherever {node} stands', () => {
    expect(mappedLocation(mapping, '/srv/pg/ts1', 's1')).toBe('/srv/pg/ts1-s1');
    expect(mappedLocation(mapping, '/srv/pg/ts2', 'leaf')).toBe('/srv/other/leaf/ts2');
    expect(mappedLocation(mapping, '/srv/pg/ts3', 's1')).toBeUndefined();
    expect(mappedLocation(undefined, '/srv/pg/ts1', 's1')).toBeUndefined();
  });

  it("finds the primary location a standby upstream's tablespace came from", () => {
    expect(primaryLocationOf(mapping, '/srv/pg/ts1', 'primary', true)).toBe('/srv/pg/ts1');
    expect(primaryLocationOf(mapping, '/srv/other/s1/ts2', 's1', false)).toBe('/srv/pg/ts2');
    expect(primaryLocationOf(mapping, '/srv/pg/ts1-s2', 's1', false)).toBeUndefined();
  });

  it('escapes = in both paths as pg_basebackup --tablespace-mapping requires', () => {
    expect(tablespaceMappingArg('/srv/a=b', '/srv/c=d-s1')).toBe('--tablespace-mapping=/srv/a\\=b=/srv/c\\=d-s1');
    expect(tablespaceMappingArg('/srv/ts', '/srv/ts-s1')).toBe('--tablespace-mapping=/srv/ts=/srv/ts-s1');
  });

  it('takes only absolute paths on both sides', () => {
    expect(tablespaceMappingOption.safeParse({ '/srv/pg/ts1': '/srv/pg/ts1-{node}' }).success).toBe(true);
    const relativeValue = tablespaceMappingOption.safeParse({ '/srv/pg/ts1': 'ts1-{node}' });
    expect(relativeValue.error?.issues.map((i) => i.message)).toEqual(['must be an absolute path (use {node} for the standby name), such as "/srv/pg/ts1-{node}"']);
    const relativeKey = tablespaceMappingOption.safeParse({ 'pg/ts1': '/srv/pg/ts1-{node}' });
    expect(relativeKey.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['pg/ts1'], expect.stringMatching(/the key must be the primary's tablespace location, an absolute path/)],
    ]);
  });
});
