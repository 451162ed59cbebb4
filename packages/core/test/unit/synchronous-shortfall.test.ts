import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/resolve-config.js';
import { effectiveSpec } from '../../src/cluster/effective-spec.js';
import { synchronousShortfall } from '../../src/cluster/synchronous-shortfall.js';
import { emptyState } from '../../src/state/cluster-state.js';

const spec = configFromObject(
  {
    primary: { name: 'main', port: 6000 },
    standbys: [
      { name: 'a', port: 6001, synchronous: true },
      { name: 'b', port: 6002, synchronous: true },
      { name: 'c', port: 6003 },
    ],
    replication: { synchronous: { method: 'ANY', count: 2 } },
  },
  '/srv/x',
);

describe('synchronousShortfall', () => {
  it('says nothing while the cluster has as many synchronous standbys as the config asks for', () => {
    expect(synchronousShortfall(spec, effectiveSpec(spec, emptyState()))).toBeUndefined();
  });

  it('names the configured count, what is left and the fix after a promotion took one synchronous standby', () => {
    const now = effectiveSpec(spec, { ...emptyState(), topology: { primary: 'a', formerPrimaries: ['main'] } });
    const warning = synchronousShortfall(spec, now);
    expect(warning).toMatch(/asks for ANY 2 .*only 1 synchronous standby \(b\), so synchronous_standby_names asks for ANY 1/);
    expect(warning).toMatch(/hotstandby add-standby NAME --synchronous/);
  });

  it('says commits wait for none when no synchronous standby is left', () => {
    const now = effectiveSpec(spec, { ...emptyState(), topology: { removed: ['a', 'b'] } });
    expect(synchronousShortfall(spec, now)).toMatch(/no synchronous standby, so commits wait for none/);
  });

  it('says nothing for a config without synchronous standbys', () => {
    const plain = configFromObject({ primary: { name: 'main', port: 6000 }, standbys: [{ name: 'a', port: 6001 }] }, '/srv/x');
    expect(synchronousShortfall(plain, effectiveSpec(plain, { ...emptyState(), topology: { removed: ['a'] } }))).toBeUndefined();
  });
});
