import { open } from 'node:fs/promises';
import path from 'node:path';
import { formatLsn } from './lsn.js';

// What global/pg_control says about a stopped cluster: whether it shut down cleanly, and where its last
// checkpoint is. Offsets are the same in every major from 9.3 to 18 (system identifier, version, catalog
// version, state at byte 16, time, checkPoint at byte 32).
export interface ControlFacts {
  state: 'starting up' | 'shut down' | 'shut down in recovery' | 'shutting down' | 'in crash recovery' | 'in archive recovery' | 'in production' | 'unknown';
  checkpoint: string;
}

const STATES: ControlFacts['state'][] = ['starting up', 'shut down', 'shut down in recovery', 'shutting down', 'in crash recovery', 'in archive recovery', 'in production'];

// Read pg_control of a data directory (the server should be stopped for the values to be final).
export async function readControlFacts(dataDir: string): Promise<ControlFacts> {
  const handle = await open(path.join(dataDir, 'global', 'pg_control'), 'r');
  try {
    const buffer = Buffer.alloc(40);
    await handle.read(buffer, 0, 40, 0);
    return { state: STATES[buffer.readUInt32LE(16)] ?? 'unknown', checkpoint: formatLsn(buffer.readBigUInt64LE(32)) };
  } finally {
    await handle.close();
  }
}

// True when a stopped cluster last ran in recovery (a standby stopped cleanly or crashed): it has not run as a
// primary since. Any other state means it started without its standby marker at some point.
export function lastRanInRecovery(facts: ControlFacts): boolean {
  return facts.state === 'shut down in recovery' || facts.state === 'in archive recovery';
}
