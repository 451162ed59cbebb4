import { describe, expect, it } from 'vitest';
import { archiverWarning, slotRetentionWarning } from '../../src/cluster/wal-health.js';

const MB = 1024 * 1024;

describe('slotRetentionWarning', () => {
  it('warns, with both numbers and the fix, when an inactive slot keeps more WAL than is still free', () => {
    const warning = slotRetentionWarning('main', '/data/main/pg_wal', { slot: 's1', retainedBytes: 600 * MB }, 400 * MB);
    expect(warning?.detail).toBe(
      'the inactive replication slot s1 on main keeps 600.0 MB of WAL, more than the 400.0 MB still free under /data/main/pg_wal; when the disk is full main stops',
    );
    expect(warning?.fix).toMatch(/hotstandby start.*pg_drop_replication_slot\('s1'\)/);
  });

  it('says nothing while the slot keeps less than the free space', () => {
    expect(slotRetentionWarning('main', '/w', { slot: 's1', retainedBytes: 100 * MB }, 400 * MB)).toBeUndefined();
    expect(slotRetentionWarning('main', '/w', { slot: 's1', retainedBytes: 0 }, 0)).toBeUndefined();
  });
});

describe('archiverWarning', () => {
  it('warns when the last failure is newer than the last success, naming the count, the segment and the times', () => {
    const warning = archiverWarning('main', {
      failedCount: 7,
      lastFailedWal: '000000010000000000000005',
      lastFailedTime: '2026-12-05 09:00:10+00',
      lastArchivedTime: '2026-12-05 08:59:00+00',
    });
    expect(warning?.detail).toMatch(
      /archiver on main is failing: 7 failed attempt\(s\), the last for 000000010000000000000005 at 2026-12-05 09:00:10\+00, last success 2026-12-05 08:59:00\+00/,
    );
    expect(warning?.fix).toMatch(/archive_command/);
  });

  it('warns when it never succeeded', () => {
    expect(archiverWarning('main', { failedCount: 1, lastFailedWal: 'x', lastFailedTime: '2026-12-05 09:00:10+00', lastArchivedTime: null })?.detail).toMatch(/last success never/);
  });

  it('says nothing when it succeeded after its last failure, or never failed', () => {
    expect(archiverWarning('main', { failedCount: 3, lastFailedWal: 'x', lastFailedTime: '2026-12-05 09:00:10+00', lastArchivedTime: '2026-12-05 09:00:11+00' })).toBeUndefined();
    expect(archiverWarning('main', { failedCount: 0, lastFailedWal: null, lastFailedTime: null, lastArchivedTime: null })).toBeUndefined();
  });
});
