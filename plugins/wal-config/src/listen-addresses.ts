import { reachedFromOtherMachines, type StepContext } from '@hotstandby/core';

// The addresses the cluster's other machines reach the primary at (see reachedFromOtherMachines); empty when every
// node shares its machine (loopback only, as before).
export function primaryReachedAt(ctx: StepContext): Promise<string[]> {
  return reachedFromOtherMachines(ctx.primary, [ctx.primary, ...ctx.standbys]);
}

// listen_addresses with the hosts added that it does not already cover, keeping every entry the user had (a
// wildcard covers all); undefined when nothing is missing.
export function listenAddressesWith(current: string | undefined, hosts: readonly string[]): string | undefined {
  const entries = (current ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.includes('*')) return undefined;
  const missing = hosts.filter((h) => !entries.some((e) => e.toLowerCase() === h.toLowerCase()));
  if (missing.length === 0) return undefined;
  return [...entries, ...missing].join(',');
}
