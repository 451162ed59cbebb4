import type { Machine } from '../hosts/machine.js';
import { isPortFree } from './ports.js';

// True when nothing listens on the TCP port on the machine (any address): there, asked with `ss`, which every
// Linux with iproute2 has; here, by trying to listen on it.
export async function isPortFreeOn(machine: Machine, port: number): Promise<boolean> {
  if (!machine.remote) return isPortFree(port);
  const result = await machine.run('ss', ['-H', '-l', '-t', '-n', `sport = :${port}`], { purpose: `check whether port ${port} is free` });
  return result.stdout.trim() === '';
}
