import {
  buildConninfo,
  escapePercent,
  LOOPBACK_ADDRESS,
  REMOTE_SOCKET_DIR,
  reachedFromOtherMachines,
  onWindows,
  quoteShellArg,
  replicationPassfileOf,
  serverSidePath,
  servesTls,
  tlsConninfoParams,
  tlsEnabled,
  tlsServerSettings,
  type StepContext,
} from '@hotstandby/core';

// primary_conninfo: the upstream's address as the standby reaches it (loopback on the same machine, never
// "localhost", which may resolve to ::1 first; the upstream's host on another one), the upstream's port,
// the replication role, the 0600 passfile on the standby's machine (never a password), and the standby's name as
// application_name; across hosts with TLS, sslmode=verify-full against the CA on the standby's host. Before PostgreSQL 10 libpq has no passfile=, so there the password itself goes into the 0600
// recovery.conf.
export function primaryConninfo(ctx: StepContext, upstreamHost: string = LOOPBACK_ADDRESS): string {
  const upstream = ctx.upstream!;
  const passfile = replicationPassfileOf(ctx.node, ctx.paths.replicationPassfile);
  return buildConninfo({
    host: upstreamHost,
    port: upstream.port,
    user: ctx.spec.replication.user,
    ...(ctx.facts.conninfoPassfile ? { passfile: serverSidePath(passfile, ctx.node.dataDir) } : { password: ctx.secrets.replicationPassword }),
    application_name: ctx.node.name,
    ...tlsConninfoParams(ctx.spec, ctx.node.name, upstream.name),
  });
}

// restore_command reading from the archive the primary's archive_command fills.
// On Windows the server runs it with cmd.exe (copy fails with exit 1 on a file the archive lacks).
export function restoreCommand(dir: string, platform: NodeJS.Platform = process.platform): string {
  if (onWindows(platform)) return `copy /Y "${escapePercent(dir)}\\%f" "%p" >NUL`;
  const source = escapePercent(quoteShellArg(dir));
  return `cp ${source}/%f %p`;
}

// The recovery parameters of a standby (recovery.conf before 12, postgresql.auto.conf from 12).
// upstreamHost: where the standby reaches its upstream (hostSeenFrom).
export function recoverySettings(ctx: StepContext, upstreamHost?: string): Record<string, string> {
  const settings: Record<string, string> = {
    primary_conninfo: primaryConninfo(ctx, upstreamHost),
    ...(ctx.facts.slots ? { primary_slot_name: ctx.nodeSpec.slot! } : {}),
    recovery_target_timeline: 'latest',
  };
  if (ctx.spec.archive) settings.restore_command = restoreCommand(serverSidePath(ctx.spec.archive.dir, ctx.node.dataDir));
  if (ctx.nodeSpec.applyDelay) settings.recovery_min_apply_delay = ctx.nodeSpec.applyDelay;
  return settings;
}

// The settings that make the copied configuration this standby's own: its port, name and hot_standby, the addresses
// the cluster's other machines reach it at (so a switchover needs no restart to let them stream from it), and its
// own TLS files (the copy names its upstream's), or ssl off when it serves no TLS in a cluster that uses it.
export async function identitySettings(ctx: StepContext): Promise<Record<string, string>> {
  return {
    port: String(ctx.node.port),
    listen_addresses: [LOOPBACK_ADDRESS, ...(await reachedFromOtherMachines(ctx.node, [ctx.primary, ...ctx.standbys]))].join(','),
    unix_socket_directories: ctx.node.machine.remote ? REMOTE_SOCKET_DIR : ctx.paths.socketDir,
    ...(ctx.facts.clusterName ? { cluster_name: ctx.node.name } : {}),
    // Its own statistics directory (the upstream's may be an absolute path, as Debian sets it).
    ...(ctx.facts.statsTempDirectory ? { stats_temp_directory: 'pg_stat_tmp' } : {}),
    hot_standby: 'on',
    // The copy carries the upstream's list of synchronous standbys, which may name this very node. A standby
    // ignores it, but once promoted its commits would wait for those names forever: it starts empty, and after
    // a promotion wal-config sets what the new primary needs.
    synchronous_standby_names: '',
    ...ownTlsSettings(ctx),
  };
}

// A standby's own TLS settings: its certificate and key when it serves TLS; ssl off when the cluster uses TLS but
// this standby serves none (the copied settings would name its upstream's files); nothing on one machine.
function ownTlsSettings(ctx: StepContext): Record<string, string> {
  if (servesTls(ctx.spec, ctx.node.name)) return tlsServerSettings(ctx.spec, ctx.node.name);
  return tlsEnabled(ctx.spec) ? { ssl: 'off' } : {};
}
