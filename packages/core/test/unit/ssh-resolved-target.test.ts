import { describe, expect, test } from 'vitest';
import { parseSshConfigDump } from '../../src/hosts/ssh-resolved-target.js';

describe('what ssh -G says of a host', () => {
  test('an alias gives the HostName its config names', () => {
    const dump = ['User root', 'hostname 198.18.7.3', 'port 2222', 'identityfile ~/.ssh/id_rsa', 'proxyjump bastion', ''].join('\n');
    expect(parseSshConfigDump(dump)).toEqual({ hostname: '198.18.7.3' });
    expect(parseSshConfigDump('user postgres\nHostName db2.example.com\n')).toEqual({ hostname: 'db2.example.com' });
  });

  test('without a hostname line nothing is known', () => {
    expect(parseSshConfigDump('user root\nport 22\n')).toBeUndefined();
    expect(parseSshConfigDump('')).toBeUndefined();
  });
});
