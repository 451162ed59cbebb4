import { describe, expect, test } from 'vitest';
import { listenAddressesWith } from '../../src/listen-addresses.js';

describe('listen_addresses for standbys on other machines', () => {
  test('adds the address others reach the primary at, keeping what was there', () => {
    expect(listenAddressesWith('127.0.0.1', ['198.18.0.2'])).toBe('127.0.0.1,198.18.0.2');
    expect(listenAddressesWith('localhost, 10.0.0.5', ['db1.example.com'])).toBe('localhost,10.0.0.5,db1.example.com');
    expect(listenAddressesWith(undefined, ['198.18.0.2'])).toBe('198.18.0.2');
  });

  test('changes nothing when the address is already there, a wildcard covers it, or no standby is elsewhere', () => {
    expect(listenAddressesWith('127.0.0.1,198.18.0.2', ['198.18.0.2'])).toBeUndefined();
    expect(listenAddressesWith('127.0.0.1, DB1.example.com', ['db1.example.com'])).toBeUndefined();
    expect(listenAddressesWith('*', ['198.18.0.2'])).toBeUndefined();
    expect(listenAddressesWith('127.0.0.1', [])).toBeUndefined();
  });
});
