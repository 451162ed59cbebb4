import { describe, expect, it } from 'vitest';
import { mappedLocation, primaryLocationOf, tablespaceMappingArg } from '../../src/tablespace-mapping.js';

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
});
