import { beforeAll, describe, expect, it } from 'vitest';
import { testBinaries } from '@hotstandby/testing';
import { programStamp, type PgBinaries } from '../../src/postgres/binaries.js';
import { resolveBinaries } from '../../src/postgres/resolve-binaries.js';

let binaries: PgBinaries;

beforeAll(async () => {
  binaries = await testBinaries();
});

// A version postgres itself never prints: when it comes back, the remembered record was used and postgres not run.
const recordedVersion = () => `${binaries.version.split('.')[0]}.9999`;

describe('remembered binaries', () => {
  it('are described from the record without running postgres while their postgres program is unchanged', async () => {
    const stamp = await programStamp(binaries.path('postgres'));
    const found = await resolveBinaries({
      remembered: { binDir: binaries.binDir, source: binaries.source, reason: 'chosen before', version: recordedVersion(), stamp },
      searchSystem: false,
    });
    expect(found.version).toBe(recordedVersion());
    expect(found.major).toBe(binaries.major);
    expect(found.binDir).toBe(binaries.binDir);
    expect(found.reason).toBe('chosen before (remembered)');
  });

  it('run postgres --version again when the program is not the one recorded (an upgrade, a reinstall)', async () => {
    const found = await resolveBinaries({
      remembered: { binDir: binaries.binDir, source: binaries.source, reason: 'chosen before', version: recordedVersion(), stamp: '1:2:3' },
      searchSystem: false,
    });
    expect(found.version).toBe(binaries.version);
  });

  it('run postgres --version when the record holds no version (a state file written by an older hotstandby)', async () => {
    const found = await resolveBinaries({ remembered: { binDir: binaries.binDir, source: binaries.source, reason: 'chosen before' }, searchSystem: false });
    expect(found.version).toBe(binaries.version);
  });

  it('are not used for another major than the cluster needs', async () => {
    const stamp = await programStamp(binaries.path('postgres'));
    const other = binaries.major === 150000 ? 160000 : 150000;
    const found = await resolveBinaries({
      remembered: { binDir: binaries.binDir, source: binaries.source, reason: 'chosen before', version: recordedVersion(), stamp },
      major: other,
      searchSystem: false,
      download: false,
    }).catch(() => undefined);
    // Embedded binaries of the other major may be on this machine, or none: either way not the recorded set.
    expect(found?.version).not.toBe(recordedVersion());
  });

  it('named by postgres.binDir, are described from the record while it names the same directory and postgres is unchanged', async () => {
    const stamp = await programStamp(binaries.path('postgres'));
    const remembered = { binDir: binaries.binDir, source: 'config' as const, reason: 'postgres.binDir in the config', version: recordedVersion(), stamp };
    const same = await resolveBinaries({ binDir: binaries.binDir, remembered });
    expect(same.version).toBe(recordedVersion());
    expect(same.reason).toBe('postgres.binDir in the config');
    // Another program file (an upgrade in place), or another directory in the config: postgres is asked again.
    expect((await resolveBinaries({ binDir: binaries.binDir, remembered: { ...remembered, stamp: '1:2:3' } })).version).toBe(binaries.version);
    expect((await resolveBinaries({ binDir: binaries.binDir, remembered: { ...remembered, binDir: '/elsewhere/bin' } })).version).toBe(binaries.version);
  });
});
