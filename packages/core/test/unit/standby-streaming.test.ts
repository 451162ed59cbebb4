import { describe, expect, it } from 'vitest';
import { lastReplicationError } from '../../src/cluster/standby-streaming.js';

describe('lastReplicationError', () => {
  it("quotes the walreceiver's last error, not pg_ctl's probes while the server starts", () => {
    const tail = [
      '2026-12-05 08:40:01.100 UTC [100] FATAL:  the database system is starting up',
      '2026-12-05 08:40:01.300 UTC [101] FATAL:  could not connect to the primary server: connection to server at "127.0.0.1", port 5432 failed: Connection refused',
      '\tIs the server running on that host and accepting TCP/IP connections?',
      '2026-12-05 08:40:01.400 UTC [102] FATAL:  the database system is not yet accepting connections',
    ].join('\n');
    expect(lastReplicationError(tail)).toBe('FATAL: could not connect to the primary server: connection to server at "127.0.0.1", port 5432 failed: Connection refused');
  });

  it('finds nothing in a clean start', () => {
    expect(lastReplicationError('2026-12-05 08:40:01.100 UTC [100] LOG:  started streaming WAL from primary at 0/3000000 on timeline 1')).toBeUndefined();
  });
});
