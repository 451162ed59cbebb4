import type { ClusterSpec } from '../config/cluster-spec.js';

// A warning when the running topology (after promote, switchover or remove-standby) has fewer synchronous
// standbys than the config's count, so hotstandby lowered the count (commits would otherwise wait forever):
// the config asks for N durable copies, the cluster now has M, and how to get them back. Undefined otherwise.
export function synchronousShortfall(configSpec: ClusterSpec, spec: ClusterSpec): string | undefined {
  if (!configSpec.standbys.some((s) => s.synchronous)) return undefined;
  const { method, count } = configSpec.replication.synchronous;
  const synchronous = spec.standbys.filter((s) => s.synchronous).map((s) => s.name);
  if (synchronous.length >= count) return undefined;
  const now =
    synchronous.length === 0
      ? 'no synchronous standby, so commits wait for none'
      : `only ${synchronous.length} synchronous standby${synchronous.length === 1 ? '' : 's'} (${synchronous.join(', ')}), so synchronous_standby_names asks for ${method} ${synchronous.length}`;
  return (
    `replication.synchronous asks for ${method} ${count} (each commit durable on ${count} synchronous standbys), but the cluster now has ${now}; ` +
    `to get ${count} durable copies back, add a synchronous standby: hotstandby add-standby NAME --synchronous`
  );
}
