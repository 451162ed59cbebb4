import { resolvePassword, type ResolvedPassword } from '../state/secret-store.js';
import type { TopologyRecord } from './runtime-topology.js';

// The superuser's and the replication role's passwords: from the config, the environment or the state; `up`
// generates those a new cluster lacks. Generated ones stay in memory until the state directory is prepared
// (nothing is written before preflight).
export interface SecretsRecord {
  superuser?: ResolvedPassword;
  replication?: ResolvedPassword;
}

// Resolve both passwords for the command.
export async function secretsOf(topology: TopologyRecord, purpose: 'up' | 'inspect'): Promise<SecretsRecord> {
  const { spec, layout, primaryInfo } = topology;
  const superuser = await resolvePassword(spec.superuser.password, layout.secretFile('superuser'), {
    generate: purpose === 'up' && primaryInfo.kind !== 'cluster',
    persist: false,
    passfile: { path: layout.userPassfile, user: spec.superuser.name },
  });
  const replication = await resolvePassword(spec.replication.password, layout.secretFile('replication'), {
    generate: purpose === 'up',
    persist: false,
    passfile: { path: layout.replicationPassfile, user: spec.replication.user },
  });
  return { superuser, replication };
}
