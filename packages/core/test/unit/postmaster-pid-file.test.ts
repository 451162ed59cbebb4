import { describe, expect, it } from 'vitest';
import { parsePostmasterPidFile, startedPostmasterPid } from '../../src/postgres/postmaster-pid-file.js';

const LAUNCH_SEC = 1_765_000_000;
const launch = { atMs: LAUNCH_SEC * 1000 + 400 };

// A postmaster.pid as PostgreSQL 10+ writes it (status padded to 8 characters, every line ending in a newline).
function pidFile(options: { pid?: number; startedAtSec?: number; status?: string | null } = {}): string {
  const lines = [String(options.pid ?? 4242), '/srv/pg/data', String(options.startedAtSec ?? LAUNCH_SEC), '5432', '/tmp', '127.0.0.1', '  5432001    131072'];
  const status = options.status === undefined ? 'ready   ' : options.status;
  return [...lines, ...(status === null ? [] : [status])].join('\n') + '\n';
}

describe('reading postmaster.pid', () => {
  it('gives the PID, the start time and the status without its padding', () => {
    expect(parsePostmasterPidFile(pidFile({ status: 'standby ' }))).toEqual({ pid: 4242, startedAtSec: LAUNCH_SEC, status: 'standby' });
  });

  it('has no status before the server wrote line 8', () => {
    expect(parsePostmasterPidFile(pidFile({ status: null }))).toEqual({ pid: 4242, startedAtSec: LAUNCH_SEC });
  });

  it('counts only whole lines: a status being written is no status yet', () => {
    expect(parsePostmasterPidFile(pidFile().replace(/\n$/, ''))?.status).toBeUndefined();
    expect(parsePostmasterPidFile('4242\n/srv/pg/data\n17650')).toBeUndefined();
  });

  it('reads a single-user backend (negative PID) and refuses what is no lock file', () => {
    expect(parsePostmasterPidFile(pidFile({ pid: -77 }))?.pid).toBe(-77);
    expect(parsePostmasterPidFile('')).toBeUndefined();
    expect(parsePostmasterPidFile('not a pid\nx\ny\n')).toBeUndefined();
  });
});

describe('whether the launched postmaster has finished starting', () => {
  it('is started when ready, or in standby state (a standby with hot_standby off)', () => {
    expect(startedPostmasterPid(pidFile({ status: 'ready   ' }), launch)).toBe(4242);
    expect(startedPostmasterPid(pidFile({ status: 'standby ' }), launch)).toBe(4242);
  });

  it('is not started while starting, while stopping, or before the status line is there', () => {
    expect(startedPostmasterPid(pidFile({ status: 'starting' }), launch)).toBeUndefined();
    expect(startedPostmasterPid(pidFile({ status: 'stopping' }), launch)).toBeUndefined();
    expect(startedPostmasterPid(pidFile({ status: null }), launch)).toBeUndefined();
  });

  it('does not take the file of a server started before the launch for the new one', () => {
    expect(startedPostmasterPid(pidFile({ startedAtSec: LAUNCH_SEC - 3 }), launch)).toBeUndefined();
    expect(startedPostmasterPid(pidFile({ startedAtSec: LAUNCH_SEC - 600 }), launch)).toBeUndefined();
  });

  it('allows two seconds of clock difference, as pg_ctl does', () => {
    expect(startedPostmasterPid(pidFile({ startedAtSec: LAUNCH_SEC - 2 }), launch)).toBe(4242);
  });

  it('does not take the postmaster that already ran at the launch for the launched one', () => {
    expect(startedPostmasterPid(pidFile(), { ...launch, previousPid: 4242 })).toBeUndefined();
    expect(startedPostmasterPid(pidFile(), { ...launch, previousPid: 999 })).toBe(4242);
  });

  it('does not take a single-user backend for a started server', () => {
    expect(startedPostmasterPid(pidFile({ pid: -4242 }), launch)).toBeUndefined();
  });
});
