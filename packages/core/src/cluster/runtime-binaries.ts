import { HotstandbyError } from '../errors/hotstandby-error.js';
import type { PgBinaries } from '../postgres/binaries.js';
import type { ProgressListener } from '../postgres/embedded/install-embedded.js';
import type { ServerUser } from '../postgres/os-user.js';
import { resolveBinaries } from '../postgres/resolve-binaries.js';
import { majorLabel } from '../postgres/versions.js';
import type { TopologyRecord } from './runtime-topology.js';

// The binaries a command runs the cluster with: of the major the primary's data directory (or the config) names,
// remembered from an earlier command for an existing cluster; `up` may download embedded ones (a dry run only
// plans that). A major that disagrees with the data directory is refused, naming both.
export async function binariesOf(
  topology: TopologyRecord,
  serverUser: ServerUser,
  options: { purpose: 'up' | 'inspect'; dryRun?: boolean; onDownloadProgress?: ProgressListener },
): Promise<PgBinaries> {
  const { spec, primaryInfo, state } = topology;
  if (primaryInfo.major !== undefined && spec.postgres.version !== undefined && primaryInfo.major !== spec.postgres.version) {
    throw new HotstandbyError(
      'UNSUPPORTED_VERSION',
      `postgres.version is ${majorLabel(spec.postgres.version)}, but the primary's data directory ${spec.primary.dataDir} is PostgreSQL ${majorLabel(primaryInfo.major)}`,
      {
        where: { key: 'postgres.version', node: spec.primary.name },
        fix: `set postgres.version to ${majorLabel(primaryInfo.major)} (primary and standbys share one major)`,
      },
    );
  }
  const binaries = await resolveBinaries({
    binDir: spec.postgres.binDir,
    major: primaryInfo.major ?? spec.postgres.version,
    remembered: primaryInfo.kind === 'cluster' ? state.binaries : undefined,
    download: options.purpose === 'up' ? (options.dryRun ? 'plan' : true) : false,
    onProgress: options.onDownloadProgress,
    user: serverUser,
  });
  if (primaryInfo.major !== undefined && primaryInfo.major !== binaries.major) {
    throw new HotstandbyError(
      'UNSUPPORTED_VERSION',
      `the primary's data directory is PostgreSQL ${majorLabel(primaryInfo.major)}, but the binaries in ${binaries.binDir} are ${binaries.version}`,
      {
        where: { node: spec.primary.name, key: 'postgres.binDir' },
        fix: `set postgres.binDir to PostgreSQL ${majorLabel(primaryInfo.major)} binaries`,
      },
    );
  }
  return binaries;
}
