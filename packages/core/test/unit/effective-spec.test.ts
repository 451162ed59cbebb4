import { describe, expect, it } from 'vitest';
import { configFromObject } from '../../src/config/resolve-config.js';
import { effectiveSpec } from '../../src/cluster/effective-spec.js';
import { emptyState, type ClusterState } from '../../src/state/cluster-state.js';

const spec = configFromObject(
  {
    primary: { name: 'main', port: 6000 },
    standbys: [
      { name: 'a', port: 6001, synchronous: true },
      { name: 'b', port: 6002, upstream: 'a' },
      { name: 'c', port: 6003 },
    ],
  },
  '/srv/x',
);

function state(topology: ClusterState['topology']): ClusterState {
  return { ...emptyState(), topology };
}

describe('effectiveSpec', () => {
  it('is the config itself when nothing was recorded', () => {
    expect(effectiveSpec(spec, emptyState())).toBe(spec);
  });

  it('after a promotion: the new primary has no upstream, the old one waits detached, the others follow', () => {
    const eff = effectiveSpec(spec, state({ primary: 'c', formerPrimaries: ['main'] }));
    expect(eff.primary).toMatchObject({ name: 'c', role: 'primary', upstream: undefined, slot: undefined });
    expect(eff.standbys.map((s) => [s.name, s.upstream])).toEqual([
      ['a', 'c'],
      ['b', 'a'],
    ]);
    expect(eff.detached?.map((d) => [d.name, d.role])).toEqual([['main', 'standby']]);
  });

  it('after rejoin the old primary is a standby of the new one, with its own slot', () => {
    const eff = effectiveSpec(spec, state({ primary: 'a' }));
    const main = eff.standbys.find((s) => s.name === 'main')!;
    expect(main).toMatchObject({ role: 'standby', upstream: 'a', slot: 'main' });
    expect(eff.primary.synchronous).toBe(false);
  });

  it('adds standbys from add-standby and drops removed ones', () => {
    const eff = effectiveSpec(spec, state({ added: [{ name: 'extra-1', port: 6010, dataDir: '/srv/x/extra', upstream: 'b' }], removed: ['c'] }));
    expect(eff.standbys.map((s) => s.name)).toEqual(['a', 'b', 'extra-1']);
    expect(eff.standbys.find((s) => s.name === 'extra-1')).toMatchObject({ upstream: 'b', slot: 'extra_1', portFixed: true });
  });

  it('applies upstream overrides and still refuses contradictions (a port taken twice)', () => {
    expect(effectiveSpec(spec, state({ upstreams: { c: 'a' } })).standbys.find((s) => s.name === 'c')!.upstream).toBe('a');
    expect(() => effectiveSpec(spec, state({ added: [{ name: 'dup', port: 6001, dataDir: '/srv/x/dup' }] }))).toThrow(/port 6001/);
  });
});
