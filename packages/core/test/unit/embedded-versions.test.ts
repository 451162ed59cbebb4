import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/postgres/embedded/embedded-installs.js';
import { pickVersion } from '../../src/postgres/embedded/npm-registry.js';
import { parseMajor } from '../../src/postgres/versions.js';

describe('ordering embedded package versions', () => {
  it('puts a release above its own pre-releases, as semver does', () => {
    expect(compareVersions('18.4.0', '18.4.0-beta.17')).toBeGreaterThan(0);
    expect(compareVersions('18.4.0-beta.17', '18.4.0')).toBeLessThan(0);
  });

  it('orders by the semver precedence rules', () => {
    const ordered = [
      '15.18.0-alpha',
      '15.18.0-alpha.1',
      '15.18.0-alpha.beta',
      '15.18.0-beta',
      '15.18.0-beta.2',
      '15.18.0-beta.11',
      '15.18.0-rc.1',
      '15.18.0',
      '15.18.1',
      '15.19.0',
      '16.1.0',
    ];
    const shuffled = [...ordered].reverse();
    expect(shuffled.sort(compareVersions)).toEqual(ordered);
  });

  it('treats versions that differ only in build metadata as equal', () => {
    expect(compareVersions('17.2.0+linux', '17.2.0')).toBe(0);
    expect(compareVersions('17.2.0', '17.2.0')).toBe(0);
  });

  it('picks the release over a pre-release of the same version when choosing what to download', () => {
    const published = ['18.4.0-beta.17', '18.4.0', '18.3.0'].map((version) => ({ version, tarball: `https://example.invalid/${version}.tgz`, integrity: 'sha512-x' }));
    expect(pickVersion(published, parseMajor('18')).version).toBe('18.4.0');
  });
});
