import { describe, expect, it } from 'vitest';
import { disconnectedSince, silentSince } from '../../src/cluster/upstream-contact.js';

describe('disconnectedSince', () => {
  it('is the first lost-contact message after the standby last started streaming', () => {
    const log = [
      '2026-12-05 10:00:00.000 UTC [10] LOG:  started streaming WAL from primary at 0/3000000 on timeline 1',
      '2026-12-05 10:05:00.100 UTC [10] FATAL:  could not receive data from WAL stream: server closed the connection unexpectedly',
      '2026-12-05 10:05:05.200 UTC [11] FATAL:  could not connect to the primary server: connection refused',
    ].join('\n');
    expect(disconnectedSince(log)).toBe('2026-12-05 10:05:00.100 UTC');
  });

  it('is nothing once streaming started again, or when the log has no timestamps first', () => {
    const healed = [
      '2026-12-05 10:05:00.100 UTC [10] FATAL:  terminating walreceiver due to timeout',
      '2026-12-05 10:06:00.000 UTC [12] LOG:  started streaming WAL from primary at 0/4000000 on timeline 1',
    ].join('\n');
    expect(disconnectedSince(healed)).toBeUndefined();
    expect(disconnectedSince('[10] FATAL:  could not connect to the primary server: refused')).toBeUndefined();
  });
});

describe('silentSince', () => {
  const now = new Date('2026-12-05T10:01:00Z');
  it('names the last message when nothing came for longer than half the receiver timeout plus slack', () => {
    expect(silentSince(new Date('2026-12-05T10:00:00Z'), 60_000, now)).toBe('2026-12-05T10:00:00.000Z');
  });
  it('is nothing while messages are recent, or the time is unknown', () => {
    expect(silentSince(new Date('2026-12-05T10:00:40Z'), 60_000, now)).toBeUndefined();
    expect(silentSince(null, 60_000, now)).toBeUndefined();
  });
});
