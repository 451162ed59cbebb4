import { HotstandbyError, isAborted, pollUntil, type PgNode } from '@hotstandby/core';

// What synchronous_standby_names asks for: how many of which names must confirm a commit.
export interface SyncRequirement {
  count: number;
  // Standby names (application_name); "*" matches any standby.
  names: string[];
}

// Parse synchronous_standby_names: FIRST n (...), ANY n (...), n (...) (9.6) or a plain list (one must confirm).
// Undefined when commits wait for nobody.
export function parseSyncStandbyNames(value: string): SyncRequirement | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const counted = /^(?:(?:FIRST|ANY)\s+)?(\d+)\s*\((.*)\)$/is.exec(text);
  const list = counted ? counted[2]! : text;
  const names = list
    .split(',')
    .map((n) => n.trim().replace(/^"(.*)"$/, '$1'))
    .filter(Boolean);
  return { count: counted ? Number(counted[1]) : 1, names };
}

// How many of the required standbys stream to the primary now.
function satisfied(requirement: SyncRequirement, streaming: readonly string[]): number {
  if (requirement.names.includes('*')) return streaming.length;
  return requirement.names.filter((n) => streaming.includes(n)).length;
}

// Wait until a commit on the primary can complete: the synchronous standbys it waits for stream. Verify's marker
// write would otherwise hang for ever; this fails after the timeout instead, naming what is missing.
export async function waitUntilCommitsComplete(primary: PgNode, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const setting = await primary.queryOne<{ names: string; commit: string }>(
    "SELECT current_setting('synchronous_standby_names') AS names, current_setting('synchronous_commit') AS commit",
  );
  const requirement = parseSyncStandbyNames(setting?.names ?? '');
  if (!requirement || setting?.commit === 'off' || setting?.commit === 'local') return;
  let streaming: string[] = [];
  try {
    await pollUntil(
      async () => {
        const rows = await primary.query<{ name: string }>("SELECT application_name AS name FROM pg_stat_replication WHERE state = 'streaming'");
        streaming = rows.map((r) => r.name);
        return satisfied(requirement, streaming) >= requirement.count ? true : undefined;
      },
      { timeoutMs, what: 'the synchronous standbys to stream', signal },
    );
  } catch (error) {
    if (isAborted(error)) throw error;
    throw new HotstandbyError(
      'VERIFY_FAILED',
      `commits on ${primary.name} wait for ${requirement.count} of the synchronous standbys ${requirement.names.join(', ')} (synchronous_standby_names = '${setting!.names}'), but ${streaming.length ? `only ${streaming.join(', ')} stream` : 'none streams'}: every write on it hangs`,
      {
        where: { node: primary.name, step: 'verify' },
        fix: `start the synchronous standbys (hotstandby start), or take the missing ones out of synchronous_standby_names (hotstandby remove-standby NAME, or up after changing "synchronous" in the config)`,
      },
    );
  }
}
