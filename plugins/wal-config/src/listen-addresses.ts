import { onSameMachine, upstreamOf, type StepContext } from '@hotstandby/core';

// The hosts other machines reach the primary at: its configured host, when a standby streaming from it lives on
// another machine (a host name is kept as a name: PostgreSQL resolves it on its own machine when it starts).
// Empty when every standby of it shares its machine (loopback only, as before).
export function primaryReachedAt(ctx: StepContext): string[] {
  const primary = ctx.primary;
  const address = primary.machine.address;
  if (address === undefined) return [];
  const remoteStandby = ctx.spec.standbys.some((spec) => {
    if (upstreamOf(ctx.spec, spec).name !== primary.name) return false;
    const standby = ctx.standbys.find((s) => s.name === spec.name);
    return standby !== undefined && !onSameMachine(standby, primary);
  });
  return remoteStandby ? [address] : [];
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
