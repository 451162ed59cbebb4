import path from 'node:path';
import type { Machine } from './machine.js';

// Paths as the machine spells them: this machine's own, POSIX on another host (every host is reached over SSH).
export function pathsOn(machine: Pick<Machine, 'remote'>): typeof path.posix {
  return machine.remote ? path.posix : path;
}
