import { open } from 'node:fs/promises';
import path from 'node:path';
import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { Machine } from '../hosts/machine.js';
import { formatLsn } from './lsn.js';

// What global/pg_control says about a stopped cluster: whether it shut down cleanly, and where its last
// checkpoint is. Offsets are the same in every major from 9.3 to 18 (system identifier, version, catalog
// version, state at byte 16, time, checkPoint at byte 32).
export interface ControlFacts {
  state: 'starting up' | 'shut down' | 'shut down in recovery' | 'shutting down' | 'in crash recovery' | 'in archive recovery' | 'in production' | 'unknown';
  checkpoint: string;
}

const STATES: ControlFacts['state'][] = ['starting up', 'shut down', 'shut down in recovery', 'shutting down', 'in crash recovery', 'in archive recovery', 'in production'];

// Read pg_control of a data directory (the server should be stopped for the values to be final); machine: the
// data directory's own machine, when it is another one.
export async function readControlFacts(dataDir: string, machine?: Machine): Promise<ControlFacts> {
  if (machine?.remote) {
    const file = path.posix.join(dataDir, 'global', 'pg_control');
    const bytes = await machine.readFile(file);
    if (!bytes || bytes.length < 40) {
      throw new HotstandbyError('PATH_UNREACHABLE', `${file} on ${machine.label} is ${bytes ? 'too short to be a pg_control file' : 'missing'}`, {
        where: { host: machine.label, file },
      });
    }
    return controlFacts(bytes);
  }
  const handle = await open(path.join(dataDir, 'global', 'pg_control'), 'r');
  try {
    const buffer = Buffer.alloc(40);
    await handle.read(buffer, 0, 40, 0);
    return controlFacts(buffer);
  } finally {
    await handle.close();
  }
}

// The facts in the first 40 bytes of a pg_control file.
function controlFacts(buffer: Buffer): ControlFacts {
  return { state: STATES[buffer.readUInt32LE(16)] ?? 'unknown', checkpoint: formatLsn(buffer.readBigUInt64LE(32)) };
}

// True when a stopped cluster last ran in recovery (a standby stopped cleanly or crashed): it has not run as a
// primary since. Any other state means it started without its standby marker at some point.
export function lastRanInRecovery(facts: ControlFacts): boolean {
  return facts.state === 'shut down in recovery' || facts.state === 'in archive recovery';
}
