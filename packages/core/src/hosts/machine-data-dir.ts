import { inspectDataDir, type DataDirInfo } from '../postgres/data-dir.js';
import { readControlFacts, type ControlFacts } from '../postgres/pg-control.js';
import type { Machine } from './machine.js';

// What a data directory on a machine holds (inspectDataDir, asked on that machine).
export function inspectDataDirOn(machine: Machine, dir: string): Promise<DataDirInfo> {
  return inspectDataDir(dir, machine);
}

// What pg_control of a data directory on a machine says (readControlFacts, asked on that machine).
export function readControlFactsOn(machine: Machine, dataDir: string): Promise<ControlFacts> {
  return readControlFacts(dataDir, machine);
}
