import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/resolve-config.js';
import { standbyNameWaves } from '../../src/cluster/standby-waves.js';

describe('standbyNameWaves', () => {
  it('groups standbys by depth, direct standbys first, cascaded ones after their upstream, config order within a depth', () => {
    const spec = configFromObject(
      {
        primary: { name: 'main', port: 6000 },
        standbys: [
          { name: 'deep', port: 6004, upstream: 'mid' },
          { name: 'a', port: 6001 },
          { name: 'mid', port: 6002, upstream: 'a' },
          { name: 'b', port: 6003 },
          { name: 'c', port: 6005, upstream: 'b' },
        ],
      },
      '/srv/x',
    );
    expect(standbyNameWaves(spec)).toEqual([['a', 'b'], ['mid', 'c'], ['deep']]);
  });

  it('has no wave for a cluster without standbys', () => {
    expect(standbyNameWaves(configFromObject({ primary: { name: 'main', port: 6000 }, standbys: [] }, '/srv/x'))).toEqual([]);
  });
});
