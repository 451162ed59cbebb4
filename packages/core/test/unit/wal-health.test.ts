import { describe, expect, it } from 'vitest';
import { archiverWarning, slotRetentionWarning } from '../../src/cluster/wal-health.js';

const MB = 1024 * 1024;

const GB = 1024 * MB;
const disk = (freeBytes: number, totalBytes = 100 * GB) => ({ freeBytes, totalBytes });

describe('slotRetentionWarning', () => {
  it('warns, with the numbers and the fix, when an inactive slot keeps more WAL than is still free', () => {
    const warning = slotRetentionWarning('main', '/data/main/pg_wal', [{ slot: 's1', retainedBytes: 600 * MB, active: false }], disk(400 * MB, 1 * GB));
    expect(warning?.detail).toBe(
      'the inactive replication slot s1 on main keeps 600.0 MB of WAL; 400.0 MB is still free under /data/main/pg_wal (the disk is 61% full); when the disk is full main stops',
    );
    expect(warning?.fix).toMatch(/hotstandby start.*pg_drop_replication_slot\('s1'\)/);
  });

  it('adds up inactive slots: two that together keep a quarter of what WAL can still use are a warning', () => {
    const slots = [
      { slot: 's1', retainedBytes: 2 * GB, active: false },
      { slot: 's2', retainedBytes: 2 * GB, active: false },
    ];
    const warning = slotRetentionWarning('main', '/w', slots, disk(10 * GB, 20 * GB));
    expect(warning?.detail).toMatch(/^2 inactive replication slots \(s1, s2\) on main keep 4\.0 GB of WAL; 10\.0 GB is still free/);
    expect(warning?.fix).toContain("pg_drop_replication_slot('s1'); SELECT pg_drop_replication_slot('s2')");
    expect(slotRetentionWarning('main', '/w', [slots[0]!], disk(10 * GB, 20 * GB)), 'one of them alone keeps less than a quarter').toBeUndefined();
  });

  it('warns on a disk 80% full while inactive slots keep more than a few segments, however small their share', () => {
    const slots = [{ slot: 's1', retainedBytes: 200 * MB, active: false }];
    expect(slotRetentionWarning('main', '/w', slots, disk(15 * GB))?.detail).toMatch(/the disk is 85% full/);
    expect(slotRetentionWarning('main', '/w', slots, disk(30 * GB)), 'a disk 70% full').toBeUndefined();
    expect(slotRetentionWarning('main', '/w', [{ slot: 's1', retainedBytes: 32 * MB, active: false }], disk(15 * GB)), 'a few segments').toBeUndefined();
  });

  it('warns about a slot the server is about to give up, even while its standby is connected', () => {
    const warning = slotRetentionWarning('main', '/w', [{ slot: 's1', retainedBytes: 10 * MB, active: true, walStatus: 'unreserved' }], disk(50 * GB));
    expect(warning?.detail).toMatch(/about to give up s1 \(wal_status unreserved\)/);
  });

  it('says nothing while the slots keep little, or are in use by their standbys', () => {
    expect(slotRetentionWarning('main', '/w', [{ slot: 's1', retainedBytes: 100 * MB, active: false }], disk(40 * GB))).toBeUndefined();
    expect(slotRetentionWarning('main', '/w', [{ slot: 's1', retainedBytes: 0, active: false }], disk(0))).toBeUndefined();
    expect(slotRetentionWarning('main', '/w', [{ slot: 's1', retainedBytes: 50 * GB, active: true, walStatus: 'extended' }], disk(10 * GB))).toBeUndefined();
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
