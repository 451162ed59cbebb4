import { describe, expect, test } from 'vitest';
import { entryAt, journalHostOf, journalPlaceOf } from '../../src/state/journal-node.js';

const remote = (host: string, user?: string, port?: number) => ({ remote: true, sshTarget: { host, user, port, identityFile: '/k', options: ['A=b'] } });

describe('where the journal says a path is', () => {
  test('a path on this machine names no node; one on another host names its node and that host, never its key or options', () => {
    expect(journalPlaceOf({ remote: false }, 'a')).toBeUndefined();
    expect(journalPlaceOf(remote('db2', 'root', 2222), 'b')).toEqual({ node: 'b', host: { host: 'db2', user: 'root', port: 2222 } });
    expect(journalHostOf({ host: 'db2' })).toEqual({ host: 'db2' });
  });

  test('an entry is at a place only for the same node on the same host, user and port', () => {
    const entry = { node: 'b', host: { host: 'db2', user: 'root' } };
    expect(entryAt(entry, journalPlaceOf(remote('db2', 'root'), 'b'))).toBe(true);
    expect(entryAt(entry, journalPlaceOf(remote('db3', 'root'), 'b'))).toBe(false);
    expect(entryAt(entry, journalPlaceOf(remote('db2', 'postgres'), 'b'))).toBe(false);
    expect(entryAt(entry, journalPlaceOf(remote('db2', 'root', 2222), 'b'))).toBe(false);
    expect(entryAt(entry, journalPlaceOf(remote('db2', 'root'), 'c'))).toBe(false);
    // The node now on this machine: the entry is of its former host.
    expect(entryAt(entry, undefined)).toBe(false);
    expect(entryAt({}, undefined)).toBe(true);
  });

  test('an entry from a journal written before hosts were recorded is its node’s, wherever that lives now', () => {
    expect(entryAt({ node: 'b' }, journalPlaceOf(remote('db3'), 'b'))).toBe(true);
    expect(entryAt({ node: 'b' }, journalPlaceOf(remote('db3'), 'c'))).toBe(false);
  });
});
