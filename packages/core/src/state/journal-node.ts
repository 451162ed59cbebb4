import type { Machine } from '../hosts/machine.js';
import type { SshTarget } from '../hosts/ssh-target.js';
import type { JournalHost } from './cluster-state.js';

// Where the journal says a path is on another host: the node whose host it is, and that host as ssh reached it.
export interface JournalPlace {
  node: string;
  host?: JournalHost;
}

// How the journal names the machine a path is on: the node whose host it is with that host, when that is another
// host; nothing for this machine.
export function journalPlaceOf(machine: Pick<Machine, 'remote' | 'sshTarget'>, node: string | undefined): JournalPlace | undefined {
  if (!machine.remote || node === undefined) return undefined;
  return { node, ...(machine.sshTarget ? { host: journalHostOf(machine.sshTarget) } : {}) };
}

// What identifies the machine ssh reaches with a target (host, user, port; never its key or options).
export function journalHostOf(target: SshTarget): JournalHost {
  return { host: target.host, ...(target.user !== undefined ? { user: target.user } : {}), ...(target.port !== undefined ? { port: target.port } : {}) };
}

// True when two recorded hosts are the same machine as ssh reaches it.
export function sameJournalHost(a: JournalHost, b: JournalHost): boolean {
  return a.host === b.host && a.user === b.user && a.port === b.port;
}

// True when a journal entry is about that place (undefined: this machine): the same node, and the same host when both
// name one (an entry from before hosts were recorded is its node's, wherever that is).
export function entryAt(entry: { node?: string; host?: JournalHost }, place: JournalPlace | undefined): boolean {
  if (entry.node !== place?.node) return false;
  return entry.host === undefined || place?.host === undefined || sameJournalHost(entry.host, place.host);
}
