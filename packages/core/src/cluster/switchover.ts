import { HotstandbyError } from '../errors/hotstandby-error.js';
import { lsnReached } from '../postgres/lsn.js';
import { readControlFacts } from '../postgres/pg-control.js';
import { pollUntil } from '../util/poll.js';
import type { ClusterRuntime } from './cluster-runtime.js';
import { promoteJournaled } from './topology-change.js';

// The planned swap with nothing lost: stop the primary cleanly (its walsenders send everything, up to the
// shutdown checkpoint), wait until the standby has replayed past that checkpoint, promote it. The old primary
// then stops exactly before the new timeline forks, so it can follow it without a rewind (the caller rejoins it).
// If the standby does not catch up in time the old primary is started again as the primary and nothing changed.
export async function switchoverTo(
  rt: ClusterRuntime,
  name: string,
  options: { timeoutMs?: number; log: (line: string) => void },
): Promise<{ oldPrimary: string; checkpoint: string }> {
  const target = rt.node(name);
  const spec = rt.spec.standbys.find((s) => s.name === name);
  const old = rt.primary;
  if (!spec)
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is not a standby of this cluster`, {
      where: { node: name },
      fix: `name one of: ${rt.spec.standbys.map((s) => s.name).join(', ')}`,
    });
  if (spec.upstream !== old.name) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} streams from ${spec.upstream}, not from the primary ${old.name}`, {
      where: { node: name },
      fix: 'switch over to a standby connected to the primary',
    });
  }
  if (spec.applyDelay) {
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `${name} is delayed by ${spec.applyDelay}; a switchover would wait for the whole delay`, {
      where: { node: name },
      fix: 'choose a standby without applyDelay, or promote it deliberately (hotstandby promote --force)',
    });
  }
  if (!(await old.isRunning()))
    throw new HotstandbyError('TOPOLOGY_CONFLICT', `the primary ${old.name} is not running; use promote for a failover`, { fix: `hotstandby promote ${name}` });
  const streaming = await old.queryOne<{ state: string }>('SELECT state FROM pg_stat_replication WHERE application_name = $1', [name]);
  if (streaming?.state !== 'streaming') {
    throw new HotstandbyError('STANDBY_NOT_STREAMING', `${name} is not streaming from ${old.name} (${streaming?.state ?? 'not connected'}), so it could miss WAL`, {
      where: { node: name },
      fix: `bring it up to date first (hotstandby up, then hotstandby verify)`,
    });
  }

  options.log(`stopping the primary ${old.name} cleanly`);
  await old.stop('fast');
  const { checkpoint, state } = await readControlFacts(old.dataDir);
  if (state !== 'shut down') throw new HotstandbyError('SERVER_STOP_FAILED', `${old.name} did not shut down cleanly (${state})`, { where: { node: old.name } });
  options.log(`waiting until ${name} has replayed ${old.name}'s shutdown checkpoint ${checkpoint}`);
  let replayed: string | null = null;
  try {
    await pollUntil(
      async () => {
        replayed = await target.lsn('replay');
        return replayed && lsnReached(replayed, checkpoint) && replayed !== checkpoint ? true : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 60_000, what: `${name} to replay past ${checkpoint}` },
      () => `replayed up to ${replayed ?? 'nothing'}`,
    );
  } catch (error) {
    options.log(`${name} did not catch up; starting ${old.name} again as the primary`);
    await old.start();
    throw error;
  }
  options.log(`promoting ${name}`);
  await promoteJournaled(rt.store, rt.configSpec.primary.name, target, old.name);
  return { oldPrimary: old.name, checkpoint };
}
