import { describe, expect, test } from 'vitest';
import type { Machine } from '../../src/hosts/machine.js';
import { firstAhostsAddress, onSameMachine, routeSource, singleAddressRange } from '../../src/hosts/node-address.js';
import type { PgNode } from '../../src/postgres/pg-node.js';

const on = (machine: Partial<Machine>) => ({ machine: { remote: false, ...machine } as Machine }) as PgNode;

describe('where nodes reach each other', () => {
  test('the source address is read from ip -o route get, for IPv4 and IPv6', () => {
    expect(routeSource('198.18.0.2 dev hs-b0 src 198.18.0.3 uid 0 \\    cache \n')).toBe('198.18.0.3');
    expect(routeSource('local 127.0.0.1 dev lo src 127.0.0.1 uid 0 \\    cache <local> \n')).toBe('127.0.0.1');
    expect(routeSource('2001:db8::1 from :: via fe80::1 dev eth0 proto ra src 2001:db8::5 metric 100 pref medium\n')).toBe('2001:db8::5');
    expect(routeSource('RTNETLINK answers: Network is unreachable\n')).toBeUndefined();
  });

  test('a resolved name is its first IPv4 address, else its first address', () => {
    const both = '2001:db8::7    STREAM db2\n2001:db8::7    DGRAM\n198.18.1.2      STREAM\n198.18.1.2      DGRAM\n';
    expect(firstAhostsAddress(both)).toBe('198.18.1.2');
    expect(firstAhostsAddress('2001:db8::7    STREAM db2\n')).toBe('2001:db8::7');
    expect(firstAhostsAddress('')).toBeUndefined();
  });

  test('a replication rule names one address, never a subnet', () => {
    expect(singleAddressRange('198.18.0.3')).toBe('198.18.0.3/32');
    expect(singleAddressRange('2001:db8::5')).toBe('2001:db8::5/128');
    expect(() => singleAddressRange('db2.example.com')).toThrow(/not an IP address/);
  });

  test('nodes share a machine when both are local or both are on the same host', () => {
    const local = on({});
    const db2 = on({ remote: true, address: 'db2' });
    expect(onSameMachine(local, on({}))).toBe(true);
    expect(onSameMachine(local, db2)).toBe(false);
    expect(onSameMachine(db2, on({ remote: true, address: 'db2' }))).toBe(true);
    expect(onSameMachine(db2, on({ remote: true, address: 'db3' }))).toBe(false);
  });
});
